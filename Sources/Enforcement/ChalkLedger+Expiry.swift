// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

extension ChalkLedger {
  /// Marks that can no longer become a candidate, and key windows no live mark uses any more.
  public struct ExpiryReport: Sendable, Hashable {
    /// Expired marks: the vault deletes them and their evidence.
    public var expired: [ChalkMark]
    /// Key windows to destroy: before the current one and referenced by no live mark.
    public var closedWindows: [KeyWindowID]
  }

  /// When a mark stops mattering: `chalkLifetime` after it was last seen, or later if its
  /// rule's `no_return` could still make a return a candidate.
  public func expiry(of mark: ChalkMark) -> Date {
    var keep = configuration.chalkLifetime
    if let policy = zones.policies[mark.policy] {
      for rule in policy.rules { keep = max(keep, rule.noReturn ?? 0) }
    }
    return mark.last.time.addingTimeInterval(keep)
  }

  /// Removes every mark that no rule can still turn into a candidate at `now` — not seen for its
  /// lifetime, or whose zone or policy is no longer in the zones file — and reports them with
  /// the key windows that can now be destroyed.
  /// Tracks windows the vault still holds a key for although no restored mark uses them (their
  /// marks went before a restart, their window's day still running): the next expiry pass closes
  /// each once its day is over, as if the agent had not stopped, rather than at its latest close.
  /// Only chalk windows are taken (`KeyWindowSchedule.prefix`); the permit key is not one.
  public mutating func track(windows: [KeyWindowID]) {
    trackedWindows.formUnion(windows.filter { $0.rawValue.hasPrefix(KeyWindowSchedule.prefix) })
  }

  public mutating func expire(now: Date) -> ExpiryReport {
    var expired: [ChalkMark] = []
    for mark in marks.values {
      let governed = zones.zone(mark.zone)?.policyIDs.contains(mark.policy) ?? false
      if !governed || expiry(of: mark) <= now { expired.append(mark) }
    }
    expired.sort { ($0.first.time, $0.id.uuidString) < ($1.first.time, $1.id.uuidString) }
    for mark in expired { removeMark(mark.id) }
    let current = schedule.window(at: now)
    let live = liveWindows()
    let closed = trackedWindows.filter { $0 != current && !live.contains($0) && $0 < current }.sorted()
    trackedWindows.subtract(closed)
    return ExpiryReport(expired: expired, closedWindows: closed)
  }
}
