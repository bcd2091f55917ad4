// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB

extension Vault {
  /// Appends an entry to the hash-chained audit log and returns it. Every access to the vehicle's
  /// data (status, export, key operation, configuration change) is recorded this way.
  @discardableResult
  public func audit(
    actor: String, action: String, purpose: String, detail: String = "", at time: Date = Date()
  )
    throws -> AuditEntry
  {
    try write("Appending to the audit log", usingReserve: true) { db in
      try Self.appendAudit(actor: actor, action: action, purpose: purpose, detail: detail, at: time, db)
    }
  }

  /// Appends an audit entry inside the caller's transaction, so it commits with what it records.
  @discardableResult
  static func appendAudit(
    actor: String, action: String, purpose: String, detail: String, at time: Date, _ db: Database
  ) throws -> AuditEntry {
    let last = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
    let sequence: Int64 = (last?["seq"] ?? 0) + 1
    let previous: Data = last?["hash"] ?? AuditEntry.genesis
    let ms = time.millisecondsSince1970
    let hash = AuditEntry.chainHash(
      previous: previous, sequence: sequence, timeMS: ms, actor: actor, action: action, purpose: purpose, detail: detail
    )
    try db.execute(
      sql:
        "INSERT INTO audit (seq, at, actor, action, purpose, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      arguments: [sequence, ms, actor, action, purpose, detail, previous, hash])
    return AuditEntry(
      sequence: sequence, time: Date(millisecondsSince1970: ms), actor: actor, action: action, purpose: purpose,
      detail: detail, previousHash: previous, hash: hash)
  }

  /// Audit entries in order, from `sequence` on.
  public func auditEntries(from sequence: Int64 = 1, limit: Int = 1000) throws -> [AuditEntry] {
    try read("Reading the audit log") { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM audit WHERE seq >= ? ORDER BY seq LIMIT ?", arguments: [sequence, limit]
      ).map(Self.auditEntry)
    }
  }

  /// The last entry's sequence number and hash (hex), nil while the log is empty: what the
  /// uplink sends with each sync so that the hub holds the heads and a rewrite shows.
  public func auditHead() throws -> (sequence: Int64, hash: String)? {
    try read("Reading the audit head") { db in
      try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").map { row in
        (row["seq"] as Int64, (row["hash"] as Data).hexString)
      }
    }
  }

  /// Walks the whole audit chain: every entry's hash must cover its fields and the previous
  /// hash, and sequence numbers must have no gap.
  public func verifyAuditLog() throws -> AuditVerification {
    try read("Verifying the audit log") { db in
      var previous = AuditEntry.genesis
      var expected: Int64 = 1
      var count = 0
      let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit ORDER BY seq")
      while let row = try cursor.next() {
        let entry = Self.auditEntry(row)
        let recomputed = AuditEntry.chainHash(
          previous: previous, sequence: entry.sequence, timeMS: entry.time.millisecondsSince1970, actor: entry.actor,
          action: entry.action, purpose: entry.purpose, detail: entry.detail)
        guard entry.sequence == expected, entry.previousHash == previous, entry.hash == recomputed else {
          return AuditVerification(entries: count, headHash: previous.hexString, firstBrokenSequence: expected)
        }
        previous = entry.hash
        expected += 1
        count += 1
      }
      return AuditVerification(entries: count, headHash: previous.hexString, firstBrokenSequence: nil)
    }
  }

  static func auditEntry(_ row: Row) -> AuditEntry {
    AuditEntry(
      sequence: row["seq"], time: Date(millisecondsSince1970: row["at"]), actor: row["actor"], action: row["action"],
      purpose: row["purpose"], detail: row["detail"], previousHash: row["prev_hash"], hash: row["hash"])
  }
}
