// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// The clock the pipeline forgets on (docs/forgetting.md): the times its sources carry, kept
/// monotonic, and extrapolated on the monotonic clock when no source carries a usable time.
///
/// - A *trusted* time — a frame that was read, a fix the quality gate and the track took — is
///   taken as it is (the daemon has refused fixes whose date cannot be right), and anchors the
///   extrapolation when it is later than the anchor: a source clock stepping back or stuck does
///   not hold the extrapolation back.
/// - An *untrusted* time — a fix the gate refused (no fix, no position), a damaged frame — counts
///   only when it is later than every time taken so far and no later than the trusted anchor
///   extrapolated to now plus ``tolerance``. Without a trusted anchor it does not count. So a
///   receiver that lost its almanac (1980, a week rollover, a far-future date) never moves
///   forgetting forward by more than ``tolerance`` ahead of the real clock, and never back.
/// - A *tick* (the daemon's, a few times a minute) forgets at the anchor extrapolated to now once
///   that is ``idleAfter`` past the latest time taken — the camera down, gpsd without a fix or
///   gone — or, before any source time was seen, at the wall clock (which then anchors).
struct RetentionClock {
  /// How far past the trusted clock's extrapolation an untrusted time may be and still count.
  static let tolerance: TimeInterval = 120
  /// How long the extrapolated clock runs ahead of the latest time taken before a tick forgets on it.
  static let idleAfter: TimeInterval = 60

  /// What became of an untrusted time.
  enum Verdict: Equatable {
    /// It counts: forget at it.
    case taken(Date)
    /// Not later than the latest time taken (an old or repeated time).
    case notLater
    /// Later than the trusted clock's extrapolation plus the tolerance.
    case tooFarAhead
    /// No trusted time yet to judge it by.
    case noAnchor
  }

  /// The latest trusted time that moved the clock forward, and when on the monotonic clock.
  private(set) var anchor: (time: Date, instant: ContinuousClock.Instant)?
  /// The latest time taken (trusted, untrusted that counted, or a tick's).
  private(set) var latest: Date?
  /// When the clock started (the pipeline was built): a tick without any source time waits
  /// ``idleAfter`` from here.
  let started: ContinuousClock.Instant

  init(started: ContinuousClock.Instant) { self.started = started }

  /// Takes a trusted time seen at `instant`; returns it (the time to forget at).
  mutating func trust(_ time: Date, at instant: ContinuousClock.Instant) -> Date {
    if anchor.map({ time > $0.time }) ?? true { anchor = (time, instant) }
    latest = max(latest ?? time, time)
    return time
  }

  /// Judges an untrusted time seen at `instant`.
  mutating func consider(_ time: Date, at instant: ContinuousClock.Instant) -> Verdict {
    guard let expected = extrapolated(to: instant) else { return .noAnchor }
    if let latest, time <= latest { return .notLater }
    guard time.timeIntervalSince(expected) <= Self.tolerance else { return .tooFarAhead }
    latest = time
    return .taken(time)
  }

  /// The tick at `instant`: the time to forget at, or nil while a source keeps the clock current.
  /// `wallClock` is used only before any source time was seen.
  mutating func tick(at instant: ContinuousClock.Instant, wallClock: Date) -> Date? {
    guard let expected = extrapolated(to: instant) else {
      guard Self.seconds(instant - started) >= Self.idleAfter else { return nil }
      anchor = (wallClock, instant)
      latest = wallClock
      return wallClock
    }
    guard let latest, expected.timeIntervalSince(latest) >= Self.idleAfter else { return nil }
    self.latest = expected
    return expected
  }

  /// The trusted anchor carried forward to `instant` on the monotonic clock; nil without one.
  func extrapolated(to instant: ContinuousClock.Instant) -> Date? {
    anchor.map { $0.time.addingTimeInterval(Self.seconds(instant - $0.instant)) }
  }

  private static func seconds(_ duration: Duration) -> TimeInterval {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }
}
