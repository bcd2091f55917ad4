// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Wire

/// How the hub's access audit is chained and anchored.
///
/// - An entry's hash is HMAC-SHA256, under a key derived from the hub's audit key, over the
///   previous hash and the entry's fields, each length-prefixed (8 bytes big-endian, then the
///   UTF-8 bytes), so no field can shift into another. Only a holder of the audit key can extend
///   or rewrite the chain so that it verifies.
/// - A checkpoint (entries counted, head hash, time) is signed with the audit key (Ed25519). The
///   hub writes one at every start, every hour and on demand; the privacy officer keeps them
///   (`chalkline-hub audit-checkpoints`), and `audit-verify --checkpoint` proves that the audit
///   still holds those entries unchanged: a cut tail or a rewritten entry no longer matches.
/// - Entries written before this scheme (`v1`: plain SHA-256 of fields joined by U+001F) stay
///   as a verified prefix; the first `v2` entry (`audit.migrated`) names their count and head.
public enum AuditChain {
  /// The legacy scheme, kept readable for entries written before v2.
  public static let legacyScheme = "v1"
  /// The current scheme.
  public static let scheme = "v2"

  /// The bytes of `fields`, each as an 8-byte big-endian length and its UTF-8 bytes.
  public static func lengthPrefixed(_ fields: [String]) -> Data { AuditCheckpoint.lengthPrefixed(fields) }

  /// The v2 hash of an entry: HMAC-SHA256 under `key` over the length-prefixed fields (hex).
  public static func hash(
    key: SymmetricKey, previous: String, sequence: Int, at: String, actor: String, purpose: String, action: String,
    detail: String, outcome: String
  ) -> String {
    let message = lengthPrefixed([
      "chalkline-hub audit v2", previous, String(sequence), at, actor, purpose, action, detail, outcome,
    ])
    return Data(HMAC<SHA256>.authenticationCode(for: message, using: key)).hexString
  }

  /// The legacy (v1) hash, for entries written before v2.
  static func legacyHash(_ e: AccessAuditEntry, previous: String) -> String {
    AccessAuditEntry.chainHash(
      previous: previous, sequence: e.sequence, at: e.at, actor: e.actor, purpose: e.purpose, action: e.action,
      detail: e.detail, outcome: e.outcome)
  }

  /// What `verify` found.
  public struct Verification: Sendable, Equatable {
    /// Entries walked.
    public var entries: Int
    /// How many of them are legacy (v1) entries.
    public var legacyEntries: Int
    /// The last entry's hash.
    public var head: String
    /// The first entry whose hash, link or sequence is wrong, if any.
    public var firstBroken: Int?
    /// Problems found, for a person (empty when intact).
    public var problems: [String]

    /// Whether nothing is wrong.
    public var intact: Bool { problems.isEmpty }
  }

  /// Walks the chain: sequences from 1 without gaps, every link, every hash (v1 only as a
  /// prefix before the first v2 entry), and the `audit.migrated` entry's count of v1 entries.
  public static func verify(_ entries: [AccessAuditEntry], key: SymmetricKey) -> Verification {
    var previous = ""
    var legacy = 0
    var seenV2 = false
    var problems: [String] = []
    var broken: Int?
    for (index, e) in entries.enumerated() {
      let isLegacy = e.scheme == legacyScheme
      let expected =
        isLegacy
        ? legacyHash(e, previous: previous)
        : hash(
          key: key, previous: previous, sequence: e.sequence, at: e.at, actor: e.actor, purpose: e.purpose,
          action: e.action, detail: e.detail, outcome: e.outcome)
      if e.sequence != index + 1 {
        problems.append("entry \(index + 1): sequence \(e.sequence) (entries are missing or reordered)")
      } else if isLegacy && seenV2 {
        problems.append("entry \(e.sequence): a legacy (v1) entry after v2 entries (rewritten)")
      } else if e.previousHash != previous || e.hash != expected {
        problems.append("entry \(e.sequence): its hash does not verify (rewritten from here on)")
      } else if e.action == "audit.migrated", e.detail != "legacy_entries=\(legacy) legacy_head=\(previous)" {
        problems.append("entry \(e.sequence): the migration names other legacy entries than the audit holds")
      }
      if !problems.isEmpty {
        broken = e.sequence
        break
      }
      if isLegacy { legacy += 1 } else { seenV2 = true }
      previous = e.hash
    }
    return Verification(
      entries: entries.count, legacyEntries: legacy, head: previous, firstBroken: broken, problems: problems)
  }
}

extension AuditCheckpoint {
  /// Reads a checkpoint from its JSON (one object, or the last line of a JSON-lines file).
  public static func parse(_ text: String) throws -> AuditCheckpoint {
    guard let line = text.split(whereSeparator: \.isNewline).last(where: { !$0.allSatisfy(\.isWhitespace) }) else {
      throw HubError(.invalid, "The checkpoint file is empty.")
    }
    do { return try decode(line: line) } catch {
      throw HubError(.invalid, "The checkpoint is not a chalkline-hub audit checkpoint (JSON).", cause: error)
    }
  }

  /// Reads every checkpoint of a file: one JSON object, or JSON lines (the officer's export, or a
  /// vehicle's `hub-audit-checkpoints.jsonl`). A line that is not a checkpoint is an error naming it.
  public static func parseAll(_ text: String, file: String) throws -> [AuditCheckpoint] {
    var checkpoints: [AuditCheckpoint] = []
    for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    where !line.allSatisfy(\.isWhitespace) {
      do { checkpoints.append(try decode(line: line)) } catch {
        throw HubError(
          .invalid, "\(file):\(index + 1): not a chalkline-hub audit checkpoint (expected one JSON object a line).",
          cause: error)
      }
    }
    guard !checkpoints.isEmpty else { throw HubError(.invalid, "\(file): the checkpoint file is empty.") }
    return checkpoints
  }
}
