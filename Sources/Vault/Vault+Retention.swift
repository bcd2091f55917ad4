// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import GRDB

/// What one retention pass did and found.
public struct RetentionReport: Sendable, Equatable {
  /// Windows whose key and chalk marks were destroyed.
  public var windowsClosed: [String] = []
  /// Chalk marks deleted with their windows.
  public var chalkMarksDeleted = 0
  /// Evidence rows deleted (not held by any candidate).
  public var evidenceDeleted = 0
  /// Synced aggregates deleted for age.
  public var aggregatesDeleted = 0
  /// Unsynced candidates older than the maximum age: an alarm, never a deletion.
  public var overdueCandidates = 0
  /// Pages returned to the file system by the incremental vacuum.
  public var pagesVacuumed = 0
}

/// Counts for `chalkline status` and health checks (no plate data).
public struct VaultStatus: Sendable, Equatable {
  public var chalkWindows: Int
  public var chalkMarks: Int
  public var evidence: Int
  public var pendingCandidates: Int
  public var oldestPendingCandidate: Date?
  public var aggregatesUnsynced: Int
  public var auditEntries: Int
  /// Chalk marks refused because the vault was full, since it was created.
  public var chalkMarksRefused: Int
  /// Bytes in live database pages (what the quota counts).
  public var liveBytes: Int64
  /// The quota.
  public var maxBytes: Int64
}

extension Vault {
  /// Applies retention at `now`: closes expired windows (their chalk marks, evidence no candidate
  /// holds, window row and key file: crypto-shredding), deletes old synced aggregates, returns
  /// freed pages to the file system, and raises an alarm for unsynced candidates past their
  /// maximum age. Outbox rows are deleted only by `acknowledge`.
  @discardableResult
  public func applyRetention(now: Date = Date()) throws -> RetentionReport {
    let nowMS = now.millisecondsSince1970
    let maxAgeMS = Int64(configuration.maxUnsyncedCandidateAge.seconds * 1000)
    let aggregateMS = Int64(configuration.syncedAggregateRetention.seconds * 1000)
    var report = try write("Applying retention") { db -> RetentionReport in
      var report = RetentionReport()
      report.windowsClosed = try String.fetchAll(
        db, sql: "SELECT id FROM chalk_window WHERE expires_at <= ? ORDER BY id", arguments: [nowMS])
      for window in report.windowsClosed {
        let evidence = try UUID.fetchAll(
          db, sql: "SELECT evidence_id FROM chalk_mark WHERE window_id = ?", arguments: [window])
        try db.execute(sql: "DELETE FROM chalk_mark WHERE window_id = ?", arguments: [window])
        report.chalkMarksDeleted += db.changesCount
        let before = try Int.fetchOne(db, sql: "SELECT count(*) FROM evidence") ?? 0
        try Self.deleteEvidenceIfUnreferenced(evidence, db)
        report.evidenceDeleted += before - (try Int.fetchOne(db, sql: "SELECT count(*) FROM evidence") ?? 0)
        try db.execute(sql: "DELETE FROM chalk_window WHERE id = ?", arguments: [window])
      }
      try db.execute(
        sql: "DELETE FROM aggregate WHERE synced = 1 AND hour < ?", arguments: [nowMS - aggregateMS])
      report.aggregatesDeleted = db.changesCount
      report.overdueCandidates =
        try Int.fetchOne(db, sql: "SELECT count(*) FROM candidate WHERE queued_at < ?", arguments: [nowMS - maxAgeMS])
        ?? 0
      if !report.windowsClosed.isEmpty {
        try Self.appendAudit(
          actor: "retention", action: "chalk.window.destroyed", purpose: "chalk window expired",
          detail: "windows=\(report.windowsClosed.joined(separator: ",")) marks=\(report.chalkMarksDeleted) "
            + "evidence=\(report.evidenceDeleted)", at: now, db)
      }
      return report
    }
    // The rows are gone (committed); now shred the keys. A crash in between leaves key files
    // without rows, which the sweep below destroys next time.
    let destroyed = try windowKeys.sweep {
      try read("Listing chalk windows") { db in Set(try String.fetchAll(db, sql: "SELECT id FROM chalk_window")) }
    }
    for id in destroyed where !report.windowsClosed.contains(id) { report.windowsClosed.append(id) }
    report.pagesVacuumed = try vacuum()
    if report.overdueCandidates > 0 {
      logger.error(
        "unsynced candidates past their maximum age on the vehicle; check the uplink",
        metadata: [
          "vault.overdue_candidates": "\(report.overdueCandidates)",
          "vault.max_age_hours": "\(Int(configuration.maxUnsyncedCandidateAge.seconds / 3600))",
        ])
    }
    if !report.windowsClosed.isEmpty {
      logger.info(
        "chalk windows closed",
        metadata: [
          "vault.windows": "\(report.windowsClosed.count)", "vault.marks_deleted": "\(report.chalkMarksDeleted)",
          "vault.evidence_deleted": "\(report.evidenceDeleted)",
        ])
    }
    return report
  }

  /// Returns free pages to the file system (`incremental_vacuum`) and truncates the WAL, so deleted
  /// rows (already zeroed by `secure_delete`) do not linger. Returns the pages released.
  @discardableResult
  public func vacuum() throws -> Int {
    do {
      return try pool.writeWithoutTransaction { db in
        let before = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        try db.execute(sql: "PRAGMA incremental_vacuum")
        _ = try? db.checkpoint(.truncate)
        return before - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
      }
    } catch {
      throw VaultError(.database, "Vacuuming the vault failed.", underlying: error)
    }
  }

  /// Counts of what the vault holds.
  public func status() throws -> VaultStatus {
    try read("Reading vault status") { db in
      func count(_ table: String) throws -> Int { try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0 }
      let oldest = try Int64.fetchOne(db, sql: "SELECT min(queued_at) FROM candidate")
      return VaultStatus(
        chalkWindows: try count("chalk_window"), chalkMarks: try count("chalk_mark"), evidence: try count("evidence"),
        pendingCandidates: try count("candidate"),
        oldestPendingCandidate: oldest.map(Date.init(millisecondsSince1970:)),
        aggregatesUnsynced: try Int.fetchOne(db, sql: "SELECT count(*) FROM aggregate WHERE synced = 0") ?? 0,
        auditEntries: try count("audit"),
        chalkMarksRefused: try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'chalk_marks_refused'")
          ?? 0,
        liveBytes: try Self.liveBytes(db), maxBytes: configuration.maxBytes)
    }
  }
}
