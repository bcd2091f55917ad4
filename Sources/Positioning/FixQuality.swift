// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The gate a fix must pass before a sighting may be chalked with it.
///
/// A fix is usable when gpsd reports mode 2D or 3D, its horizontal error estimate (``Fix/horizontalError``, a 95 %
/// radius) is at most ``maxEph`` and it is at most ``maxAge`` old at the moment it is used.
///
/// The gate only refuses what no decision can use; the ledger judges the rest. The default, 50 m, is half a
/// downtown block face (≈ 100 m): past it a fix cannot tell which block the car is on, so neither its zone nor a
/// same-place decision can come from it. A fix between the same-place tolerance and 50 m still places a sighting
/// (which the ledger then counts as too uncertain to chalk, or in a zone no other zone is near), and it keeps the
/// position track going. Real errors exceed the estimate now and then, which is why the officer's review, not this
/// number, decides a citation. A fix without any error estimate is refused.
public struct FixQuality: Sendable, Equatable {
  /// The largest acceptable horizontal error estimate, metres.
  public var maxEph: Double
  /// The largest acceptable age of a fix when it is used, seconds.
  public var maxAge: TimeInterval

  /// Makes a gate; the defaults suit a curbside camera on a city street.
  public init(maxEph: Double = 50, maxAge: TimeInterval = 2) {
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
    /// The fix's date cannot be right (``FixClockCheck``).
    case implausibleTime(String)

    /// Whether the fix may be used.
    public var isUsable: Bool { self == .usable }

    /// A bounded label for counting refusals: `no_fix`, `no_error_estimate`, `too_uncertain`,
    /// `too_old`, `implausible_time` (`usable` for a usable fix).
    public var reason: String {
      switch self {
      case .usable: "usable"
      case .noFix: "no_fix"
      case .noErrorEstimate: "no_error_estimate"
      case .tooUncertain: "too_uncertain"
      case .tooOld: "too_old"
      case .implausibleTime: "implausible_time"
      }
    }

    public var description: String {
      switch self {
      case .usable: "usable"
      case .noFix: "no fix"
      case .noErrorEstimate: "no error estimate"
      case .tooUncertain(let eph): "error estimate \(String(format: "%.1f", eph)) m over the limit"
      case .implausibleTime(let problem): problem
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
