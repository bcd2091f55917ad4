// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The gate a fix must pass before a sighting may be chalked with it.
///
/// A fix is usable when gpsd reports mode 2D or 3D, its horizontal error estimate is at most ``maxEph`` and it is
/// at most ``maxAge`` old at the moment it is used.
///
/// What ``maxEph`` means: gpsd's `eph` (or, without it, `epx` and `epy` combined as √(epx²+epy²)) is an estimate
/// derived from the receiver's own figures or from HDOP times a fixed range error; neither gpsd nor the receivers
/// state a confidence level for it. So the limit is not "95 % of fixes fall within maxEph metres"; it is "reject
/// every fix whose own error estimate exceeds maxEph metres". Pick it from the geometry it protects (for example
/// half the length of the shortest curb zone), and expect real errors to exceed the estimate now and then, which is
/// why the officer's review, not this number, decides a citation. A fix without any error estimate is refused.
public struct FixQuality: Sendable, Equatable {
  /// The largest acceptable horizontal error estimate, metres.
  public var maxEph: Double
  /// The largest acceptable age of a fix when it is used, seconds.
  public var maxAge: TimeInterval

  /// Makes a gate; the defaults suit a curbside camera on a city street.
  public init(maxEph: Double = 15, maxAge: TimeInterval = 2) {
    self.maxEph = maxEph
    self.maxAge = maxAge
  }

  /// Why a fix is or is not usable.
  public enum Verdict: Sendable, Equatable, CustomStringConvertible {
    /// Usable for chalking.
    case usable
    /// gpsd reports no position (mode 0 or 1).
    case noFix
    /// gpsd gave no error estimate at all (no `eph`, no `epx`/`epy`).
    case noErrorEstimate
    /// The error estimate exceeds the limit.
    case tooUncertain(eph: Double)
    /// The fix is older than the limit (or from the future by more than the limit).
    case tooOld(age: TimeInterval)

    /// Whether the fix may be used.
    public var isUsable: Bool { self == .usable }

    public var description: String {
      switch self {
      case .usable: "usable"
      case .noFix: "no fix"
      case .noErrorEstimate: "no error estimate"
      case .tooUncertain(let eph): "error estimate \(String(format: "%.1f", eph)) m over the limit"
      case .tooOld(let age): "fix \(String(format: "%.1f", age)) s old"
      }
    }
  }

  /// Judges `fix` when used at `time` (GPS-disciplined UTC, or the frame's time in a replay).
  public func verdict(for fix: Fix, at time: Date) -> Verdict {
    let precision = verdictIgnoringAge(for: fix)
    guard precision == .usable else { return precision }
    let age = time.timeIntervalSince(fix.time)
    // A fix slightly in the future of `time` is clock jitter; far in the future is as wrong as far in the past.
    if abs(age) > maxAge { return .tooOld(age: age) }
    return .usable
  }

  /// Judges mode and error estimate only; used for fixes kept for later interpolation, where age is checked
  /// against the frame's time instead.
  public func verdictIgnoringAge(for fix: Fix) -> Verdict {
    guard fix.mode >= .twoD, fix.position != nil else { return .noFix }
    guard let error = fix.horizontalError else { return .noErrorEstimate }
    guard error <= maxEph else { return .tooUncertain(eph: error) }
    return .usable
  }
}
