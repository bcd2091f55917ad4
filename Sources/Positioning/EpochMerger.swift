// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Turns gpsd's several `TPV` reports per receiver epoch into one ``Fix`` per epoch.
///
/// gpsd sends a TPV for every sentence that updates the fix (RMC, then GGA, then GSA ...), all with the same
/// `time`. The merger holds the epoch's fix and hands it out when a report of a later epoch arrives, or when the
/// caller flushes it (the client does so when the wire has gone quiet, a fraction of a second after the burst).
public struct EpochMerger: Sendable {
  private var pending: Fix?
  private var lastEmittedTime: Date?

  /// Makes an empty merger.
  public init() {}

  /// Takes one TPV's fix; returns the previous epoch's merged fix when this one starts a new epoch.
  ///
  /// A report older than an epoch already handed out is dropped: gpsd repeats the last fix to a new watcher.
  public mutating func add(_ fix: Fix) -> Fix? {
    if let lastEmittedTime, fix.time <= lastEmittedTime { return nil }
    guard let current = pending else {
      pending = fix
      return nil
    }
    if fix.time == current.time {
      pending = current.merged(with: fix)
      return nil
    }
    if fix.time < current.time { return nil }
    pending = fix
    lastEmittedTime = current.time
    return current
  }

  /// Hands out the epoch being merged, if any.
  public mutating func flush() -> Fix? {
    guard let current = pending else { return nil }
    pending = nil
    lastEmittedTime = current.time
    return current
  }

  /// Forgets the epoch being merged and the last epoch handed out (after a reconnect to another gpsd).
  public mutating func reset() {
    pending = nil
    lastEmittedTime = nil
  }
}
