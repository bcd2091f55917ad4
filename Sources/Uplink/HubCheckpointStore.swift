// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Logging
import Wire

/// The hub's signed audit checkpoints as this vehicle received them, kept in
/// `hub-audit-checkpoints.jsonl` in the uplink cache directory (one JSON object a line, oldest
/// first, the newest `limit`), so that the hub's audit has a witness the hub's operator does not
/// control: `chalkline-hub audit-verify --checkpoint` takes this file as it is.
///
/// A checkpoint is kept only when it verifies with the audit key of the hub's signed keys
/// document, and only when it is consistent with those held: not fewer entries nor an earlier
/// time than the newest one held, and, for a count already held, the same head. Anything else
/// means the hub's audit was cut or rewritten (or the hub's clock went back); it is refused,
/// logged and shown in the uplink status, and the checkpoints held stay as they are.
public final class HubCheckpointStore: Sendable {
  /// The file.
  public let file: URL
  /// How many checkpoints are kept (2,000: some 83 days of hourly ones).
  public static let limit = 2_000
  private let held: LockedValue<[AuditCheckpoint]>

  /// Opens the store in `directory`; lines that are not checkpoints are skipped and logged.
  public init(directory: URL, logger: Logger) {
    file = directory.appendingPathComponent("hub-audit-checkpoints.jsonl")
    var loaded: [AuditCheckpoint] = []
    if let text = try? String(contentsOf: file, encoding: .utf8) {
      for line in text.split(whereSeparator: \.isNewline) {
        if let checkpoint = try? AuditCheckpoint.decode(line: line) {
          loaded.append(checkpoint)
        } else {
          logger.warning("A stored hub checkpoint line is not a checkpoint and is ignored.")
        }
      }
    }
    held = LockedValue(loaded)
  }

  /// The checkpoints held, oldest first.
  public var all: [AuditCheckpoint] { held.withLock { $0 } }

  /// The newest checkpoint held.
  public var latest: AuditCheckpoint? { held.withLock { $0.last } }

  /// Checks a checkpoint the hub sent against `auditKey` and those held, and keeps it when it is
  /// new. Returns false when it is the newest one already held; throws when it does not verify or
  /// contradicts what is held.
  @discardableResult
  public func accept(_ checkpoint: AuditCheckpoint, auditKey: Curve25519.Signing.PublicKey) throws -> Bool {
    guard checkpoint.isValid(for: auditKey) else {
      throw UplinkError(
        .badSignature, "The hub's audit checkpoint is not signed by the audit key of its signed keys document.")
    }
    let file = self.file
    let outcome = held.withLock { held -> Result<Bool, UplinkError> in
      if let problem = Self.contradiction(checkpoint, held: held) { return .failure(problem) }
      if held.last == checkpoint { return .success(false) }
      var next = held + [checkpoint]
      if next.count > Self.limit { next.removeFirst(next.count - Self.limit) }
      do {
        let text = try next.map { try $0.jsonLine() }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: file, options: .atomic)
      } catch {
        return .failure(
          UplinkError(.local, "The hub's audit checkpoints cannot be saved in \(file.path).", cause: error))
      }
      held = next
      return .success(true)
    }
    return try outcome.get()
  }

  /// Why `checkpoint` cannot follow those held (nil when it can).
  static func contradiction(_ checkpoint: AuditCheckpoint, held: [AuditCheckpoint]) -> UplinkError? {
    if let same = held.last(where: { $0.sequence == checkpoint.sequence }), same.head != checkpoint.head {
      return UplinkError(
        .hubAudit,
        "The hub's audit was rewritten: entry \(checkpoint.sequence) now has another hash than the checkpoint of \(same.at) signed."
      )
    }
    guard let newest = held.last, newest != checkpoint else { return nil }
    guard checkpoint.sequence >= newest.sequence else {
      return UplinkError(
        .hubAudit,
        "The hub's audit was cut: its checkpoint counts \(checkpoint.sequence) entries, one of \(newest.at) counted \(newest.sequence)."
      )
    }
    guard let time = UTCTime.parse(checkpoint.at), let before = UTCTime.parse(newest.at), time >= before else {
      return UplinkError(
        .hubAudit, "The hub's audit checkpoint of \(checkpoint.at) is older than the one of \(newest.at) held.")
    }
    return nil
  }
}
