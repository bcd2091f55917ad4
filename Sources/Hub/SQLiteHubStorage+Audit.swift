// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import GRDB
import Synchronization
import Wire

/// The access audit in SQLite: the keyed chain (`AuditChain`), its checkpoints and the audit
/// heads vehicles send.
extension SQLiteHubStorage {
  public func installAuditKey(_ key: SymmetricKey) { auditKey.withLock { $0 = key } }

  public func audit(
    actor: String, purpose: String, action: String, detail: String, outcome: String, at: Date
  )
    async throws -> AccessAuditEntry
  {
    guard let key = auditKey.withLock({ $0 }) else {
      throw HubError(
        .keys, "The hub storage was opened without the hub's audit key; open it through HubService to write the audit.")
    }
    return try await write("writing the access audit") { db in
      let previous = try Row.fetchOne(
        db, sql: "SELECT sequence, hash, scheme FROM access_audit ORDER BY sequence DESC LIMIT 1")
      if let previous, previous["scheme"] as String == AuditChain.legacyScheme {
        // The first keyed entry after legacy ones names how many there were and their head, so a
        // later verification can tell the legacy prefix was not cut or extended unseen.
        let legacy = try Int.fetchOne(db, sql: "SELECT count(*) FROM access_audit") ?? 0
        try Self.append(
          db, key: key, actor: "hub", purpose: "audit migration", action: "audit.migrated",
          detail: "legacy_entries=\(legacy) legacy_head=\(previous["hash"] as String)", outcome: "allowed", at: at)
      }
      return try Self.append(
        db, key: key, actor: actor, purpose: purpose, action: action, detail: detail, outcome: outcome, at: at)
    }
  }

  @discardableResult
  static func append(
    _ db: Database, key: SymmetricKey, actor: String, purpose: String, action: String, detail: String,
    outcome: String, at: Date
  ) throws -> AccessAuditEntry {
    let previous = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM access_audit ORDER BY sequence DESC LIMIT 1")
    let sequence = (previous.map { $0["sequence"] as Int } ?? 0) + 1
    let previousHash = previous.map { $0["hash"] as String } ?? ""
    let stamp = UTCTime.format(at)
    let hash = AuditChain.hash(
      key: key, previous: previousHash, sequence: sequence, at: stamp, actor: actor, purpose: purpose, action: action,
      detail: detail, outcome: outcome)
    try db.execute(
      sql: """
        INSERT INTO access_audit (sequence, at, actor, purpose, action, detail, outcome, previous_hash, hash, scheme)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [sequence, stamp, actor, purpose, action, detail, outcome, previousHash, hash, AuditChain.scheme])
    return AccessAuditEntry(
      sequence: sequence, at: stamp, actor: actor, purpose: purpose, action: action, detail: detail,
      outcome: outcome, previousHash: previousHash, hash: hash)
  }

  static func auditEntry(_ row: Row) -> AccessAuditEntry {
    AccessAuditEntry(
      sequence: row["sequence"], at: row["at"], actor: row["actor"], purpose: row["purpose"], action: row["action"],
      detail: row["detail"], outcome: row["outcome"], previousHash: row["previous_hash"], hash: row["hash"],
      scheme: row["scheme"])
  }

  public func auditEntries() async throws -> [AccessAuditEntry] {
    try await read("reading the access audit") { db in
      try Row.fetchAll(db, sql: "SELECT * FROM access_audit ORDER BY sequence").map(Self.auditEntry)
    }
  }

  public func auditEntries(action: String, since: Date) async throws -> [AccessAuditEntry] {
    try await read("reading the access audit") { db in
      // `at` is ISO 8601 UTC with milliseconds, so text order is time order.
      try Row.fetchAll(
        db, sql: "SELECT * FROM access_audit WHERE action = ? AND at >= ? ORDER BY sequence",
        arguments: [action, UTCTime.format(since)]
      ).map(Self.auditEntry)
    }
  }

  public func auditHead() async throws -> (sequence: Int, hash: String) {
    try await read("reading the audit head") { db in
      let row = try Row.fetchOne(db, sql: "SELECT sequence, hash FROM access_audit ORDER BY sequence DESC LIMIT 1")
      return (row.map { $0["sequence"] as Int } ?? 0, row.map { $0["hash"] as String } ?? "")
    }
  }

  public func saveCheckpoint(_ checkpoint: AuditCheckpoint) async throws {
    try await write("saving an audit checkpoint") { db in
      try db.execute(
        sql: """
          INSERT INTO audit_checkpoint (sequence, head, at, reason, signature) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (at, sequence) DO NOTHING
          """,
        arguments: [checkpoint.sequence, checkpoint.head, checkpoint.at, checkpoint.reason, checkpoint.signature])
    }
  }

  /// Checkpoints as stored; `publicKey` is left empty (the verifier fills in the hub's).
  public func checkpoints() async throws -> [AuditCheckpoint] {
    try await read("reading audit checkpoints") { db in
      try Row.fetchAll(db, sql: "SELECT * FROM audit_checkpoint ORDER BY at, sequence").map(Self.checkpoint)
    }
  }

  public func latestCheckpoint() async throws -> AuditCheckpoint? {
    try await read("reading the newest audit checkpoint") { db in
      try Row.fetchOne(db, sql: "SELECT * FROM audit_checkpoint ORDER BY at DESC, sequence DESC LIMIT 1")
        .map(Self.checkpoint)
    }
  }

  static func checkpoint(_ row: Row) -> AuditCheckpoint {
    AuditCheckpoint(
      version: 1, sequence: row["sequence"], head: row["head"], at: row["at"], reason: row["reason"], publicKey: "",
      signature: row["signature"])
  }

  public func recordDeviceAuditHead(
    device: String, sequence: Int, hash: String, at: Date
  ) async throws -> DeviceAuditHeadCheck {
    try await write("recording a vehicle's audit head") { db in
      if let held = try String.fetchOne(
        db, sql: "SELECT hash FROM device_audit_head WHERE device_id = ? AND sequence = ?",
        arguments: [device, sequence])
      {
        return held == hash ? .unchanged : .rewritten(sequence: sequence)
      }
      let highest =
        try Int.fetchOne(
          db, sql: "SELECT max(sequence) FROM device_audit_head WHERE device_id = ?", arguments: [device]) ?? 0
      try db.execute(
        sql: "INSERT INTO device_audit_head (device_id, sequence, hash, received_at) VALUES (?, ?, ?, ?)",
        arguments: [device, sequence, hash, at.millisecondsSince1970])
      return sequence < highest ? .truncated(recorded: highest) : .recorded
    }
  }

  public func oldestHeldEvidenceReceivedAt() async throws -> Date? {
    try await read("finding the oldest held evidence") { db in
      try Int64.fetchOne(
        db,
        sql: """
          SELECT min(c.received_at) FROM candidate c
          WHERE EXISTS (SELECT 1 FROM evidence e WHERE e.candidate_id = c.id)
            OR EXISTS (SELECT 1 FROM review_decision d WHERE d.candidate_id = c.id AND d.corrected_text IS NOT NULL)
          """
      ).map { Date(millisecondsSince1970: $0) }
    }
  }

  public func exchangeReviewersSeen(_ reviewers: [String: String]) async throws -> [String: String] {
    try await write("recording the configured reviewers") { db in
      var seen: [String: String] = [:]
      for row in try Row.fetchAll(db, sql: "SELECT name, password_sha256 FROM reviewer_seen") {
        seen[row["name"]] = row["password_sha256"]
      }
      try db.execute(sql: "DELETE FROM reviewer_seen")
      for (name, digest) in reviewers {
        try db.execute(
          sql: "INSERT INTO reviewer_seen (name, password_sha256) VALUES (?, ?)", arguments: [name, digest])
      }
      return seen
    }
  }
}
