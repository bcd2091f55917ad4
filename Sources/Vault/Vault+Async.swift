// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// Async forms of the vault's operations for the pipeline: each runs on a dispatch queue of its
/// own, so a blocked SQLite call or fsync never holds a thread of the cooperative pool (the
/// writer itself is GRDB's serialized queue).
extension Vault {
  private static let queue = DispatchQueue(label: "chalkline.vault.calls", qos: .userInitiated, attributes: .concurrent)

  /// Runs a blocking vault call off the cooperative pool.
  public func run<T: Sendable>(_ body: @escaping @Sendable (Vault) throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
      Self.queue.async {
        continuation.resume(with: Result { try body(self) })
      }
    }
  }

  /// Async `recordChalkMarks(_:)`.
  public func recordChalkMarks(_ marks: [NewChalkMark]) async throws -> [ChalkMarkOutcome] {
    try await run { try $0.recordChalkMarks(marks) }
  }

  /// Async `chalkMarks(matching:in:)`.
  public func chalkMarks(matching hashes: [PlateHash], in windowID: String) async throws -> [ChalkMark] {
    try await run { try $0.chalkMarks(matching: hashes, in: windowID) }
  }

  /// Async `plateHasher(for:)`.
  public func plateHasher(for window: ChalkWindow) async throws -> PlateHasher {
    try await run { try $0.plateHasher(for: window) }
  }

  /// Async `pendingCandidates(limit:)`.
  public func pendingCandidates(limit: Int = 100) async throws -> [OutboxCandidate] {
    try await run { try $0.pendingCandidates(limit: limit) }
  }

  /// Async `acknowledge(_:actor:)`.
  public func acknowledge(_ ids: [UUID], actor: String = "uplink") async throws -> Int {
    try await run { try $0.acknowledge(ids, actor: actor) }
  }

  /// Async `applyRetention(now:)`.
  public func applyRetention(now: Date = Date()) async throws -> RetentionReport {
    try await run { try $0.applyRetention(now: now) }
  }

  /// Async `audit(actor:action:purpose:detail:at:)`.
  public func audit(actor: String, action: String, purpose: String, detail: String = "") async throws -> AuditEntry {
    try await run { try $0.audit(actor: actor, action: action, purpose: purpose, detail: detail) }
  }
}
