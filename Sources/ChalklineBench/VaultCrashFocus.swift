// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Logging
import Vault
import Wire

/// The operation a focused crash run repeats, so that most kills land inside it: where a power
/// loss hurts most, because it deletes or re-encrypts what was already acknowledged.
///
/// The writer journals `begin OP` before the operation and `end OP …` after it returned; the
/// harness waits for a `begin` and kills within a few milliseconds of it.
public enum VaultCrashFocus: String, Sendable, CaseIterable {
  /// Retention by time: expired windows' keys, marks and evidence go in one transaction, then
  /// the vacuum and the truncating checkpoint.
  case retention
  /// Windows closed by name before their expiry (the ledger no longer needs them): key shredding.
  case shredding
  /// A storage-key rotation: new key file, every sealed row re-encrypted, old key files destroyed.
  case rotation
  /// An outbox acknowledgement: candidates and the evidence only they held deleted, audited.
  case acknowledgement
}

extension VaultCrashWorkload {
  /// Runs `focus` over and over, with enough writes between for it to work on, until killed (or
  /// `rounds` rounds when given).
  static func runFocused(
    _ focus: VaultCrashFocus, vault: Vault, sealer: EvidenceSealer, journal out: Journal, seed: UInt64,
    rounds: Int? = nil
  ) throws {
    var random = SeededGenerator(seed: seed)
    var round = 0
    while rounds.map({ round < $0 }) ?? true {
      round += 1
      let now = Date()
      // Windows of one second expiring two seconds after they end, so each retention finds some.
      let epoch = Int64(now.timeIntervalSince1970)
      let window = try ChalkWindow(id: "f\(epoch)", expiresAt: Date(timeIntervalSince1970: Double(epoch + 2)))
      let marks = try storeMarks(Int.random(in: 4...12, using: &random), in: window, vault, sealer, out, &random)
      switch focus {
      case .retention:
        out.line("retention \(now.millisecondsSince1970)")
        out.line("begin retention")
        let report = try vault.applyRetention(now: now)
        out.line("end retention \(report.windowsClosed.count)")
      case .shredding:
        let previous = "f\(epoch - 1)"
        out.line("shred \(previous)")
        out.line("begin shredding")
        try vault.applyRetention(now: Date(timeIntervalSince1970: 0), closing: [previous])
        out.line("end shredding \(previous)")
      case .rotation:
        out.line("begin rotation")
        let rows = try vault.rotateStorageKey(actor: "crash-writer", purpose: "crash harness")
        out.line("end rotation \(rows)")
      case .acknowledgement:
        for mark in marks.prefix(3) {
          let (candidate, sealed) = try candidate(first: mark.evidence, now: now, sealer, &random)
          try vault.enqueueCandidate(candidate, sealed: sealed)
          out.line("cand \(candidate.id)")
        }
        let pending = try vault.pendingCandidates(limit: 20).map(\.id)
        let acknowledged = Array(pending.prefix(Int.random(in: 1...max(1, pending.count), using: &random)))
        for id in acknowledged { out.line("ackintent \(id)") }
        out.line("begin acknowledgement")
        try vault.acknowledge(acknowledged)
        out.line("end acknowledgement \(acknowledged.count)")
        // Expired marks go too, or the vault only grows.
        out.line("retention \(now.millisecondsSince1970)")
        try vault.applyRetention(now: now)
      }
    }
  }
}
