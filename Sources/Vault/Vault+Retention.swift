// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB
import Logging
import Synchronization

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
  /// Bytes of WAL checkpointed into the database and then truncated away.
  public var walBytesTruncated: Int64 = 0
  /// Whether nothing deleted is left in the WAL: true when this pass's scrub (or one an earlier
  /// pass or acknowledgement owed) truncated the WAL, or none was needed; false when a reader held
  /// the WAL or the scrub failed (logged, counted in ``VaultStatus/scrubsDeferred``, and retried at
  /// every pass until it succeeds).
  public var checkpointed = true
}

/// A chalk window whose key exists, as `chalkline keys show --json` lists it.
public struct ChalkWindowInfo: Sendable, Equatable {
  /// The window's id (`chalk-YYYY-MM-DD`).
  public var id: String
  /// When its key was made, to the hour.
  public var opened: Date
  /// When its key will be destroyed at the latest (earlier once none of its marks can still
  /// become a candidate).
  public var closes: Date
  /// Chalk marks made under its key that the vault holds.
  public var marks: Int
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
  /// Deletions that failed (and were retried), since the vault was created: expired chalk marks,
  /// retention passes, acknowledged candidates.
  public var deleteFailures: Int
  /// Chalk marks refused because the vault was full, since it was created.
  public var chalkMarksRefused: Int
  /// Bytes in live database pages (what the quota counts).
  public var liveBytes: Int64
  /// The quota.
  public var maxBytes: Int64
  /// Bytes free on the state directory's file system (nil when it cannot be read).
  public var freeBytes: Int64?
  /// The free space kept for candidates, deletions, keys and the status file.
  public var reservedFreeBytes: Int64 = 0
  /// Writes that failed for want of space since the vault was opened (each logged and retried).
  public var diskFullFailures = 0
  /// The space reserve this vault was configured to hold (0: none or not managed by this opener;
  /// `VaultConfiguration.spaceReserveBytes`).
  public var spaceReserveBytes: Int64 = 0
  /// The bytes of it held now: less than ``spaceReserveBytes`` after a full disk took it, until
  /// there is room again.
  public var spaceReserveHeldBytes: Int64 = 0
  /// Times the reserve was given up for a write since the vault was opened.
  public var spaceReserveReleases = 0
  /// Scrubs after deletions (vacuum and truncating WAL checkpoint) that a reader deferred or that
  /// failed, since the vault was created; each is retried at the next retention pass.
  public var scrubsDeferred = 0
  /// Whether this vault object owes a scrub now: deleted rows may still be in the WAL until the
  /// next retention pass truncates it.
  public var scrubOwed = false

  /// Whether a new chalk mark would be refused now (quota reached, or free space in the reserve):
  /// the state the agent reports, which clears by itself once space returns.
  public var refusingChalkMarks: Bool {
    // 256 KiB: about one mark with its sealed pictures, as `recordChalkMarks` counts it.
    liveBytes + 256 << 10 > maxBytes || (freeBytes.map { $0 - reservedFreeBytes < 512 << 10 } ?? false)
  }
}

extension Vault {
  /// Applies retention at `now`: closes every window that expired by `now` and every window in
  /// `closing` (the ledger's: no mark of it can still become a candidate) — its chalk marks,
  /// evidence no candidate holds, its row and its key, in one transaction (crypto-shredding) —
  /// deletes old synced aggregates, checkpoints and truncates the WAL and returns freed pages
  /// (already zeroed by `secure_delete`) to the file system, and raises an alarm for unsynced
  /// candidates past their maximum age. Outbox rows are deleted only by `acknowledge`. A scrub that
  /// an earlier pass, an acknowledgement or the opening owes is retried, whether or not this pass
  /// deletes anything. A failed pass is counted (`vault_delete_failures`) and thrown.
  @discardableResult
  public func applyRetention(now: Date = Date(), closing: [String] = []) throws -> RetentionReport {
    let nowMS = now.millisecondsSince1970
    let maxAgeMS = Int64(configuration.maxUnsyncedCandidateAge.seconds * 1000)
    let aggregateMS = Int64(configuration.syncedAggregateRetention.seconds * 1000)
    var report: RetentionReport
    do {
      report = try windowKeys.closing { () throws -> (RetentionReport, [String]) in
        let report = try write("Applying retention", usingReserve: true) { db -> RetentionReport in
          var report = RetentionReport()
          let due = try String.fetchAll(
            db, sql: "SELECT id FROM chalk_window WHERE expires_at <= ? ORDER BY id", arguments: [nowMS])
          let named = try closing.filter {
            try Bool.fetchOne(db, sql: "SELECT 1 FROM chalk_window WHERE id = ?", arguments: [$0]) == true
          }
          report.windowsClosed = Array(Set(due + named)).sorted()
          for window in report.windowsClosed {
            let evidence = try UUID.fetchAll(
              db, sql: "SELECT evidence_id FROM chalk_mark WHERE window_id = ?", arguments: [window])
            try db.execute(sql: "DELETE FROM chalk_mark WHERE window_id = ?", arguments: [window])
            report.chalkMarksDeleted += db.changesCount
            report.evidenceDeleted += try Self.deleteEvidenceIfUnreferenced(evidence, db)
            // The key row goes with the window row (ON DELETE CASCADE), in this transaction.
            try db.execute(sql: "DELETE FROM chalk_window WHERE id = ?", arguments: [window])
          }
          try db.execute(
            sql: "DELETE FROM aggregate WHERE synced = 1 AND hour < ?", arguments: [nowMS - aggregateMS])
          report.aggregatesDeleted = db.changesCount
          report.overdueCandidates =
            try Int.fetchOne(
              db, sql: "SELECT count(*) FROM candidate WHERE queued_at < ?", arguments: [nowMS - maxAgeMS]) ?? 0
          if !report.windowsClosed.isEmpty {
            try Self.appendAudit(
              actor: "retention", action: "chalk.window.destroyed", purpose: "chalk window expired",
              detail: "windows=\(report.windowsClosed.joined(separator: ",")) marks=\(report.chalkMarksDeleted) "
                + "evidence=\(report.evidenceDeleted)", at: now, db)
          }
          return report
        }
        return (report, report.windowsClosed)
      }
    } catch {
      // Counted in the vault, like every failed deletion; the caller keeps what it asked to close.
      // A scrub an earlier pass owes needs nothing of what failed here: it is still tried.
      noteDeleteFailure()
      scrubIfOwed()
      throw error
    }
    // The deletions committed above. The scrub runs after them, and at every later pass until it
    // succeeds (a reader holding the WAL, a full disk: logged and counted), so the caller still
    // learns which windows closed.
    if let scrub = scrubIfOwed(due: !report.windowsClosed.isEmpty || report.aggregatesDeleted > 0) {
      report.pagesVacuumed = scrub.pages
      report.walBytesTruncated = scrub.walBytes
      report.checkpointed = scrub.checkpointed
    }
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
    // A reserve given up when the disk filled comes back once there is room again.
    holdSpaceReserve()
    return report
  }

  /// Deletes chalk marks the ledger expired (with their evidence unless a candidate holds it), in
  /// one transaction. A failure is counted in the vault (`vault_delete_failures`) and thrown, so
  /// the caller keeps the ids and tries again.
  public func deleteChalkMarks(ids: [UUID]) throws {
    guard !ids.isEmpty else { return }
    do {
      try write("Deleting \(ids.count) chalk marks", usingReserve: true) { db in
        for id in ids {
          let evidence = try UUID.fetchOne(db, sql: "SELECT evidence_id FROM chalk_mark WHERE id = ?", arguments: [id])
          try db.execute(sql: "DELETE FROM chalk_mark WHERE id = ?", arguments: [id])
          if let evidence { try Self.deleteEvidenceIfUnreferenced([evidence], db) }
        }
      }
    } catch {
      noteDeleteFailure()
      throw error
    }
  }

  /// Counts a failed deletion (`vault_delete_failures`); a failure to count is logged. The caller
  /// throws the deletion's error, and retries.
  func noteDeleteFailure() {
    do { try countDeleteFailure() } catch {
      logger.error("counting a failed deletion failed too", metadata: ["error": "\(error)"])
    }
  }

  /// Counts a failed deletion (shown by `status`).
  func countDeleteFailure() throws {
    try write("Counting a failed deletion", usingReserve: true) { db in
      try db.execute(sql: "UPDATE counter SET value = value + 1 WHERE name = 'vault_delete_failures'")
    }
  }

  /// Sets `secure_delete` on the writer (`ON` is what the vault opens with; `FAST` zeroes only what
  /// costs no extra I/O). For the benchmark's comparison.
  package func setSecureDelete(_ mode: String) throws {
    try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA secure_delete = \(mode)") }
  }

  /// The chalk windows whose key exists, oldest first, with their mark counts.
  public func chalkWindows() throws -> [ChalkWindowInfo] {
    try read("Listing chalk windows") { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT w.id, w.created_at, w.expires_at, (SELECT count(*) FROM chalk_mark m WHERE m.window_id = w.id) AS marks
          FROM chalk_window w JOIN window_key k ON k.window_id = w.id ORDER BY w.created_at, w.id
          """
      ).map { row in
        ChalkWindowInfo(
          id: row["id"], opened: Date(millisecondsSince1970: row["created_at"]),
          closes: Date(millisecondsSince1970: row["expires_at"]), marks: row["marks"])
      }
    }
  }

  /// Windows, keys and marks that do not belong together (a window without its key or a key
  /// without its window, a mark whose window has no key): what a crash must never leave.
  public func windowKeyInconsistencies() throws -> [String] {
    try read("Checking chalk window keys") { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT 'window ' || id || ' has no key' FROM chalk_window WHERE id NOT IN (SELECT window_id FROM window_key)
          UNION ALL
          SELECT 'key of ' || window_id || ' has no window' FROM window_key
            WHERE window_id NOT IN (SELECT id FROM chalk_window)
          UNION ALL
          SELECT 'mark of ' || window_id || ' outlived its key' FROM chalk_mark
            WHERE window_id NOT IN (SELECT window_id FROM window_key)
          """)
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
        deleteFailures: try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'vault_delete_failures'")
          ?? 0,
        chalkMarksRefused: try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'chalk_marks_refused'")
          ?? 0,
        liveBytes: try Self.liveBytes(db), maxBytes: configuration.maxBytes, freeBytes: freeBytes(),
        reservedFreeBytes: configuration.reservedFreeBytes, diskFullFailures: diskFullFailures.withLock { $0 },
        spaceReserveBytes: spaceReserve.bytes, spaceReserveHeldBytes: spaceReserve.heldBytes,
        spaceReserveReleases: spaceReserve.releases,
        scrubsDeferred: try Int.fetchOne(db, sql: "SELECT value FROM counter WHERE name = 'vault_scrubs_deferred'")
          ?? 0,
        scrubOwed: scrubOwed.withLock { $0 })
    }
  }
}
