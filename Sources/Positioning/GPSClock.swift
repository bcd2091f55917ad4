// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Logging

/// Tracks the offset between GPS time and the system clock, and notices when the system clock jumps.
///
/// Each usable fix gives one observation: the fix's GPS time, the system time and a monotonic reading taken when
/// it arrived. The offset is the median of the recent observations (gpsd's delivery delay, tens of milliseconds,
/// is part of it). A sighting is stamped with ``stamp(systemTime:monotonic:)``: GPS-disciplined UTC while a usable
/// fix arrived within ``maxStaleness`` seconds, the system clock otherwise, and it says which.
///
/// A system clock jump shows as the system clock advancing differently from the monotonic clock between two
/// observations; it is logged (warning) and the offset history restarts.
public struct GPSClock: Sendable {
  /// A time stamp and where it came from.
  public struct Stamp: Sendable, Equatable {
    /// The instant, UTC.
    public var time: Date
    /// Whether it is GPS-disciplined or the plain system clock.
    public var source: Source
  }

  /// Where a stamp's time came from.
  public enum Source: String, Sendable {
    /// The system clock corrected by the GPS offset.
    case gps
    /// The system clock alone (no recent usable fix).
    case system
  }

  /// A detected discontinuity.
  public enum Jump: Sendable, Equatable {
    /// The system clock moved by `seconds` against the monotonic clock (someone set it, NTP stepped it).
    case systemClock(seconds: TimeInterval)
    /// GPS time moved by `seconds` against the monotonic clock (receiver reset, week rollover).
    case gpsTime(seconds: TimeInterval)
  }

  /// A jump of more than this many seconds is reported.
  public var jumpThreshold: TimeInterval
  /// How long after the last observation stamps stay GPS-disciplined, seconds.
  public var maxStaleness: TimeInterval
  private let logger: Logger
  private var offsets: [TimeInterval] = []
  private var last: (gps: Date, system: Date, monotonic: TimeInterval)?

  /// Makes a tracker with no observations.
  public init(jumpThreshold: TimeInterval = 1, maxStaleness: TimeInterval = 10, logger: Logger) {
    self.jumpThreshold = jumpThreshold
    self.maxStaleness = maxStaleness
    self.logger = logger
  }

  /// GPS time minus system time, seconds; `nil` before the first observation.
  public var offset: TimeInterval? {
    guard !offsets.isEmpty else { return nil }
    let sorted = offsets.sorted()
    return sorted[sorted.count / 2]
  }

  /// Monotonic seconds (CLOCK_MONOTONIC: does not jump, does not count suspend).
  public static func monotonicNow() -> TimeInterval {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return TimeInterval(ts.tv_sec) + TimeInterval(ts.tv_nsec) / 1e9
  }

  /// Records one usable fix's GPS time as it arrives; returns a jump if one was detected.
  @discardableResult
  public mutating func observe(
    gpsTime: Date, systemTime: Date = Date(), monotonic: TimeInterval = GPSClock.monotonicNow()
  ) -> Jump? {
    var jump: Jump?
    if let last {
      let elapsed = monotonic - last.monotonic
      let systemDrift = systemTime.timeIntervalSince(last.system) - elapsed
      let gpsDrift = gpsTime.timeIntervalSince(last.gps) - elapsed
      if abs(systemDrift) > jumpThreshold {
        jump = .systemClock(seconds: systemDrift)
        logger.warning(
          "System clock jumped; GPS time offset restarts",
          metadata: ["clock.jump_seconds": "\(String(format: "%.3f", systemDrift))"])
        offsets.removeAll()
      } else if abs(gpsDrift) > jumpThreshold {
        jump = .gpsTime(seconds: gpsDrift)
        logger.warning(
          "GPS time jumped against the monotonic clock",
          metadata: ["clock.jump_seconds": "\(String(format: "%.3f", gpsDrift))"])
        offsets.removeAll()
      }
    }
    offsets.append(gpsTime.timeIntervalSince(systemTime))
    if offsets.count > 15 { offsets.removeFirst(offsets.count - 15) }
    last = (gpsTime, systemTime, monotonic)
    return jump
  }

  /// Checks the system clock against the monotonic clock without a fix; returns a jump if there was one.
  ///
  /// Call it now and then while there is no fix, so a clock step is still noticed.
  @discardableResult
  public mutating func checkSystemClock(
    systemTime: Date = Date(), monotonic: TimeInterval = GPSClock.monotonicNow()
  ) -> Jump? {
    guard let last else { return nil }
    let drift = systemTime.timeIntervalSince(last.system) - (monotonic - last.monotonic)
    guard abs(drift) > jumpThreshold else { return nil }
    logger.warning(
      "System clock jumped while no fix arrived",
      metadata: ["clock.jump_seconds": "\(String(format: "%.3f", drift))"])
    self.last = (last.gps.addingTimeInterval(monotonic - last.monotonic), systemTime, monotonic)
    offsets.removeAll()
    return .systemClock(seconds: drift)
  }

  /// The time to stamp a sighting with: GPS-disciplined when a usable fix arrived recently.
  public func stamp(systemTime: Date = Date(), monotonic: TimeInterval = GPSClock.monotonicNow()) -> Stamp {
    guard let offset, let last, monotonic - last.monotonic <= maxStaleness,
      abs(systemTime.timeIntervalSince(last.system) - (monotonic - last.monotonic)) <= jumpThreshold
    else { return Stamp(time: systemTime, source: .system) }
    return Stamp(time: systemTime.addingTimeInterval(offset), source: .gps)
  }
}
