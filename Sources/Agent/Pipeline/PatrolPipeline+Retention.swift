// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Enforcement
import Foundation
import Logging
import Vault

/// What the pipeline remembers between retention passes: deletions and window closings the vault
/// refused (retried at every pass until they succeed), and whether the start-up pass ran.
struct RetentionState {
  var startPassDone = false
  var pendingDeletes: Set<UUID> = []
  var pendingClosings: Set<String> = []
}

extension PatrolPipeline {
  /// Runs retention once a minute of frame (or fix) time.
  func expireIfDue(now: Date) {
    if let lastExpiry, now.timeIntervalSince(lastExpiry) < 60 { return }
    applyRetention(now: now)
  }

  /// Forgets what can no longer become a candidate at `now` (the frame clock): the ledger's
  /// expired marks are deleted, and every chalk window the ledger no longer needs or whose latest
  /// close passed loses its key, marks and rows in one vault transaction, then the WAL is
  /// truncated and freed pages returned. The first pass runs before the first frame is read,
  /// so whatever came due while the vehicle was off goes first. A failed deletion is counted,
  /// logged and retried at the next pass; nothing is dropped silently.
  func applyRetention(now: Date) {
    lastExpiry = now
    retention.startPassDone = true
    let expired = ledger.expire(now: now)
    counters.expiredChalkMarks += expired.expired.count
    deleteMarks(expired.expired.map(\.id))
    retention.pendingClosings.formUnion(expired.closedWindows.map(\.rawValue))
    let report: RetentionReport
    do {
      report = try vault.applyRetention(now: now, closing: retention.pendingClosings.sorted())
      retention.pendingClosings.removeAll()
    } catch {
      counters.vaultWriteFailures += 1
      logger.error(
        "retention failed: chalk windows stay until the next pass",
        metadata: ["chalk.windows_pending": "\(retention.pendingClosings.count)", "error": "\(error)"])
      return
    }
    guard !report.windowsClosed.isEmpty else { return }
    counters.chalkWindowsClosed += report.windowsClosed.count
    let closed = Set(report.windowsClosed)
    for id in closed { hashers[KeyWindowID(id)] = nil }
    // A window closed by its latest close while the ledger still held marks of it (a stay renewed
    // past the longest rule's reach): those marks are gone with their key, so the ledger drops them.
    let stale = ledger.liveMarks.filter { mark in
      mark.first.alternatives.contains { $0.keys.contains { closed.contains($0.window.rawValue) } }
    }
    if !stale.isEmpty {
      dropFromLedger(Set(stale.map(\.id)))
      counters.expiredChalkMarks += stale.count
    }
    logger.info(
      "chalk windows closed: keys destroyed with their marks",
      metadata: [
        "chalk.windows_closed": "\(report.windowsClosed.count)", "chalk.marks_deleted": "\(report.chalkMarksDeleted)",
        "vault.wal_bytes_truncated": "\(report.walBytesTruncated)",
      ])
  }

  /// Rebuilds the ledger without the marks `ids` (gone from the vault, or never stored in it).
  func dropFromLedger(_ ids: Set<UUID>) {
    ledger = ChalkLedger(
      zones: ledger.zones, permits: ledger.permits, configuration: ledger.configuration, logger: logger,
      restoring: ledger.liveMarks.filter { !ids.contains($0.id) })
    persisted.subtract(ids)
  }

  /// Deletes marks from the vault (with any earlier deletions that failed); a failure is counted
  /// and logged, and the ids are tried again at the next call.
  func deleteMarks(_ ids: [UUID]) {
    persisted.subtract(ids)
    retention.pendingDeletes.formUnion(ids)
    guard !retention.pendingDeletes.isEmpty else { return }
    do {
      try vault.deleteChalkMarks(ids: retention.pendingDeletes.sorted { $0.uuidString < $1.uuidString })
      retention.pendingDeletes.removeAll()
    } catch {
      counters.vaultWriteFailures += 1
      logger.error(
        "deleting chalk marks failed: retried at the next pass",
        metadata: ["chalk.deletes_pending": "\(retention.pendingDeletes.count)", "error": "\(error)"])
    }
  }

  /// Records a later sighting of a stored mark; a failure is counted and logged (the next
  /// sighting of the car writes its time again).
  func updateLastSeen(_ mark: ChalkMark) {
    do { try vault.updateLastSeen(of: mark.id, to: mark.last.time, flagged: mark.flagged) } catch {
      counters.vaultWriteFailures += 1
      logger.error("updating a chalk mark failed", metadata: ["error": "\(error)"])
    }
  }

  /// When a window's key is destroyed at the latest: the end of its local day plus the longest
  /// reach of any rule (the chalk lifetime, or a longer `no_return`). The ledger closes it earlier
  /// once no live mark references it. Only the current window gets this date; an earlier one is
  /// never extended by being used to match.
  func latestClose(of window: KeyWindowID, at time: Date) -> Date {
    guard window == ledger.schedule.window(at: time) else { return time }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = ledger.zones.timeZone
    let end =
      calendar.date(byAdding: .day, value: 1, to: calendar.startOfDay(for: time)) ?? time.addingTimeInterval(86_400)
    var reach = ledger.configuration.chalkLifetime
    for policy in ledger.zones.policies.values {
      for rule in policy.rules { reach = max(reach, rule.noReturn ?? 0) }
    }
    return end.addingTimeInterval(reach)
  }

  /// A no-return candidate names the earlier stay's last sighting, whose evidence was never stored
  /// (only a mark's first sighting is): its first sighting becomes that stay's first, stored one
  /// (same car, same place, with its picture). `persisted`: the ids of marks the vault holds.
  static func withStoredEvidence(
    _ candidate: Candidate, removed: [ChalkMark], persisted: Set<UUID>
  ) -> Candidate {
    guard case .noReturn = candidate.rule,
      let earlier = removed.first(where: { $0.last.evidence == candidate.first.evidence }),
      persisted.contains(earlier.id)
    else { return candidate }
    var copy = candidate
    copy.first = earlier.first
    return copy
  }
}
