// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// How much of a position the receiver solved, as gpsd's `TPV.mode` says.
public enum FixMode: Int, Sendable, Comparable, Codable, CustomStringConvertible {
  /// gpsd has not seen a mode yet (`mode` 0).
  case unknown = 0
  /// The receiver is talking but has no position (`mode` 1).
  case noFix = 1
  /// Latitude and longitude, no altitude (`mode` 2).
  case twoD = 2
  /// Latitude, longitude and altitude (`mode` 3).
  case threeD = 3

  public static func < (lhs: FixMode, rhs: FixMode) -> Bool { lhs.rawValue < rhs.rawValue }

  public var description: String {
    switch self {
    case .unknown: "unknown"
    case .noFix: "no fix"
    case .twoD: "2D"
    case .threeD: "3D"
    }
  }
}

/// One position report from the receiver: what gpsd sends as a `TPV` object, merged over one epoch.
///
/// Every error estimate is gpsd's own (`eph`, `epx`, `epy`, metres). gpsd does not state a confidence
/// level for them; see ``FixQuality`` for what the profile's limits mean.
public struct Fix: Sendable, Equatable {
  /// The receiver's time of the fix, UTC (GPS time, leap seconds applied by gpsd).
  public var time: Date
  /// Solution mode.
  public var mode: FixMode
  /// Position, degrees WGS84; `nil` without a fix.
  public var position: GeoPosition?
  /// Altitude above mean sea level in metres (gpsd `altMSL`, or `alt`), when the receiver gave one.
  public var altitude: Double?
  /// Estimated horizontal position error in metres (gpsd `eph`).
  public var eph: Double?
  /// Estimated longitude error in metres (gpsd `epx`).
  public var epx: Double?
  /// Estimated latitude error in metres (gpsd `epy`).
  public var epy: Double?
  /// Speed over ground in metres per second.
  public var speed: Double?
  /// Course over ground in degrees from true north, clockwise, 0..<360.
  public var track: Double?

  /// Makes a fix from its fields.
  public init(
    time: Date,
    mode: FixMode,
    position: GeoPosition?,
    altitude: Double? = nil,
    eph: Double? = nil,
    epx: Double? = nil,
    epy: Double? = nil,
    speed: Double? = nil,
    track: Double? = nil
  ) {
    self.time = time
    self.mode = mode
    self.position = position
    self.altitude = altitude
    self.eph = eph
    self.epx = epx
    self.epy = epy
    self.speed = speed
    self.track = track
  }

  /// Latitude in degrees, when there is a position.
  public var latitude: Double? { position?.latitude }
  /// Longitude in degrees, when there is a position.
  public var longitude: Double? { position?.longitude }

  /// The horizontal error estimate in metres, read as a 95 % radius: √(epx² + epy²) when gpsd gives
  /// both, else `eph`.
  ///
  /// gpsd scales all three to about 95 %. `epx`/`epy` come first because they carry the receiver's
  /// own error statistics when it sends them (NMEA GST: a u-blox ZED-F9P gives 4 m there against
  /// an `eph` of 13 m), while `eph` for plain NMEA is gpsd's fixed model, HDOP times a range error
  /// (about 19.6 m × HDOP in gpsd 3.22). HDOP alone is not used: it has no unit, and gpsd has
  /// already turned it into `eph`. `nil` when gpsd gave neither, which the quality gate refuses.
  public var horizontalError: Double? {
    if let epx, let epy { return (epx * epx + epy * epy).squareRoot() }
    return eph
  }

  /// This fix completed with a later report of the same epoch: the later report's fields win where it has them.
  ///
  /// gpsd sends one `TPV` per sentence (RMC, then GGA, ...) with the same `time`; each adds fields.
  public func merged(with later: Fix) -> Fix {
    Fix(
      time: later.time,
      mode: max(mode, later.mode),
      position: later.position ?? position,
      altitude: later.altitude ?? altitude,
      eph: later.eph ?? eph,
      epx: later.epx ?? epx,
      epy: later.epy ?? epy,
      speed: later.speed ?? speed,
      track: later.track ?? track
    )
  }
}
