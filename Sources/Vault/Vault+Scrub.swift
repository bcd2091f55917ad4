// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB
import Logging
import Synchronization

/// What one scrub did.
struct ScrubReport: Sendable, Equatable {
  /// Pages returned to the file system by the incremental vacuum.
  var pages = 0
  /// Bytes of WAL checkpointed into the database and then truncated away.
  var walBytes: Int64 = 0
  /// Whether the WAL was checkpointed and truncated.
  var checkpointed = false
}

extension Vault {
  /// Returns free pages to the file system (`incremental_vacuum`) and truncates the WAL, so deleted
  /// rows (already zeroed by `secure_delete`) do not linger. Returns the pages released.
  @discardableResult
  public func vacuum() throws -> Int { try scrub().pages }

  /// The vacuum and the truncating checkpoint that follow a deletion: `secure_delete` zeroes the
  /// deleted cells in the pages it writes, but the WAL still holds those pages as they were
  /// written before, and the database file holds them until the checkpoint copies the zeroed ones
  /// back. Until one succeeds a scrub is owed (``scrubOwed``) and every retention pass tries again:
  /// a checkpoint a reader blocks (`checkpointed: false`) or a scrub that fails (thrown) is counted
  /// (`vault_scrubs_deferred`, ``VaultStatus/scrubsDeferred``) and logged. A disk too full for the
  /// checkpoint gives up the space reserve and tries once more.
  @discardableResult
  func scrub() throws -> ScrubReport {
    let report: ScrubReport
    do {
      do { report = try scrubOnce() } catch let error as VaultError {
        guard error.code == .diskFull, releaseSpaceReserve(for: "Scrubbing the vault") else { throw error }
        report = try scrubOnce()
      }
    } catch {
      scrubOwed.withLock { $0 = true }
      noteScrubDeferred(error: error)
      throw error
    }
    if !report.checkpointed { noteScrubDeferred(error: nil) }
    return report
  }

  /// Runs ``scrub()`` when one is owed or `due` (deletions just committed), and never throws: a
  /// scrub that fails was logged and counted by ``scrub()`` and stays owed, and what the caller
  /// deleted stays deleted. Returns nil when no scrub was run.
  @discardableResult
  func scrubIfOwed(due: Bool = false) -> ScrubReport? {
    guard due || scrubOwed.withLock({ $0 }) else { return nil }
    do { return try scrub() } catch {
      // Logged and counted by scrub(), and owed: the next retention pass tries again.
      return ScrubReport()
    }
  }

  private func scrubOnce() throws -> ScrubReport {
    let wal = stateDirectory.appendingPathComponent(Self.databaseName + "-wal").path
    do {
      return try pool.writeWithoutTransaction { db in
        let before = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        try db.execute(sql: "PRAGMA incremental_vacuum")
        let pages = before - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
        let walBytes = FileStatus(path: wal)?.size ?? 0
        // The flag is set here, on the writer, so that it follows the order of the writes: a
        // checkpoint that succeeded came after every deletion committed before it.
        do {
          _ = try db.checkpoint(.truncate)
          scrubOwed.withLock { $0 = false }
          return ScrubReport(pages: pages, walBytes: walBytes, checkpointed: true)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
          scrubOwed.withLock { $0 = true }
          return ScrubReport(pages: pages, walBytes: 0, checkpointed: false)
        }
      }
    } catch {
      throw databaseError(
        "Scrubbing the vault (vacuum and WAL checkpoint)", error, advice: "check free space and the database file.")
    }
  }

  /// Counts a deferred or failed scrub (`vault_scrubs_deferred`) and logs it; a failure to count
  /// is logged too.
  private func noteScrubDeferred(error: (any Error)?) {
    do {
      try write("Counting a deferred scrub") { db in
        try db.execute(
          sql: """
            INSERT INTO counter (name, value) VALUES ('vault_scrubs_deferred', 1)
            ON CONFLICT(name) DO UPDATE SET value = value + 1
            """)
      }
    } catch {
      logger.error("counting a deferred scrub failed too", metadata: ["error": "\(error)"])
    }
    if let error {
      logger.error(
        "scrub after deletions failed: deleted rows stay in the WAL and freed pages until the next retention pass",
        metadata: ["vault.scrub_owed": "true", "error": "\(error)"])
    } else {
      logger.warning(
        "WAL checkpoint deferred: a reader holds it; deleted rows stay in the WAL until the next retention pass",
        metadata: ["vault.scrub_owed": "true"])
    }
  }
}
