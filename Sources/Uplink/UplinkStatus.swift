// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Wire

/// What `chalkline status` shows about the uplink.
public struct UplinkStatus: Sendable, Equatable, Codable {
  /// Whether the last exchange with the hub succeeded.
  public var connected: Bool
  /// When an exchange with the hub last succeeded.
  public var lastSuccess: Date?
  /// When an exchange last failed, and why (no plate text: errors never carry it).
  public var lastFailure: Date?
  /// The last failure's message.
  public var lastError: String?
  /// Consecutive failures since the last success.
  public var consecutiveFailures: Int
  /// Candidates waiting in the outbox (as of the last look).
  public var backlog: Int
  /// Candidates acknowledged by the hub since start.
  public var sent: Int
  /// Candidates the hub refused (kept on the device; an alarm).
  public var rejected: Int
  /// The distribution versions held, by kind.
  public var documentVersions: [String: Int]
  /// The hub's newest audit checkpoint verified and kept (`N entries at TIME`), if any.
  public var hubCheckpoint: String?
  /// Why the last audit checkpoint from the hub was refused (its audit cut or rewritten), if it was.
  public var hubAuditProblem: String?

  /// The state before anything happened.
  public init() {
    connected = false
    consecutiveFailures = 0
    backlog = 0
    sent = 0
    rejected = 0
    documentVersions = [:]
  }
}

/// The uplink's status, readable at any time from any thread.
public final class UplinkStatusBoard: Sendable {
  private let value = LockedValue(UplinkStatus())

  /// A board with the initial status.
  public init() {}

  /// The current status.
  public var current: UplinkStatus { value.withLock { $0 } }

  func update(_ body: (inout UplinkStatus) -> Void) { value.withLock { body(&$0) } }

  func succeeded(at date: Date) {
    update {
      $0.connected = true
      $0.lastSuccess = date
      $0.consecutiveFailures = 0
    }
  }

  func failed(_ error: any Error, at date: Date) -> Int {
    value.withLock {
      $0.connected = false
      $0.lastFailure = date
      $0.lastError = String(describing: error)
      $0.consecutiveFailures += 1
      return $0.consecutiveFailures
    }
  }
}

extension UplinkStatus {
  /// The file the running agent keeps its uplink status in, inside the uplink cache directory.
  public static func file(in cacheDirectory: URL) -> URL { cacheDirectory.appendingPathComponent("status.json") }

  /// The status the running agent last wrote (for `chalkline status` in another process).
  public static func load(from cacheDirectory: URL) -> UplinkStatus? {
    guard let data = try? Data(contentsOf: file(in: cacheDirectory)) else { return nil }
    return try? UplinkAPI.decoder().decode(UplinkStatus.self, from: data)
  }

  func save(in cacheDirectory: URL) {
    guard let data = try? UplinkAPI.encoder().encode(self) else { return }
    try? data.write(to: Self.file(in: cacheDirectory), options: .atomic)
  }
}
