// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// Refuses fixes whose date cannot be right, before anything is judged or chalked on them.
///
/// gpsd 3.22 dates some receivers 1024 weeks off (GPS week rollover: 2034 and 2041 were seen from
/// old SiRF logs; a looped log climbed to 4279), and a receiver that lost its almanac can report
/// 1980 or 1999. A sighting judged on such a date has the wrong day of the week, day of the month
/// and holiday, so the fix is refused. A date is implausible when it is
/// - before ``floor``, the date of this release (no real fix predates the software reading it);
/// - more than one 1024-week GPS era after the floor (only a rollover gets there); or
/// - more than ``maxSkew`` away from the system clock, when the system clock itself is past the
///   floor (a vehicle's clock without network time drifts seconds a day, not a day). When the
///   system clock is before the floor (no RTC, no NTP yet) only the first two tests apply.
public struct FixClockCheck: Sendable, Equatable {
  /// The date of this release: 2026-12-01T00:00:00Z. Raise it at each release.
  public static let releaseFloor = Date(timeIntervalSince1970: 1_796_083_200)
  /// 1024 weeks, one GPS week-number era.
  public static let gpsEra: TimeInterval = 1_024 * 604_800

  /// No plausible fix is older than this.
  public var floor: Date
  /// The largest plausible difference between a fix and a plausible system clock.
  public var maxSkew: TimeInterval

  /// Makes a check; the defaults are the release floor and one day.
  public init(floor: Date = FixClockCheck.releaseFloor, maxSkew: TimeInterval = 86_400) {
    self.floor = floor
    self.maxSkew = maxSkew
  }

  /// Why a fix's date is implausible, or `nil` when it is plausible.
  public func problem(with fix: Fix, systemTime: Date) -> String? {
    if fix.time < floor {
      return "fix dated \(UTCTime.format(fix.time)) is before \(UTCTime.format(floor)), the release date "
        + "(a receiver week rollover or reset)"
    }
    if fix.time.timeIntervalSince(floor) > Self.gpsEra {
      return
        "fix dated \(UTCTime.format(fix.time)) is more than 1024 weeks after the release date (a GPS week rollover)"
    }
    let skew = fix.time.timeIntervalSince(systemTime)
    if systemTime >= floor, abs(skew) > maxSkew {
      let days = String(format: "%.1f", abs(skew) / 86_400)
      return
        "fix dated \(UTCTime.format(fix.time)) is \(days) days \(skew > 0 ? "ahead of" : "behind") the system clock "
        + "\(UTCTime.format(systemTime)); one of them is wrong (check the receiver and network time)"
    }
    return nil
  }
}
