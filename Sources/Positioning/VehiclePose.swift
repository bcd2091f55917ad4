// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Where the vehicle's GPS antenna was, and which way the vehicle pointed, at one instant.
public struct VehiclePose: Sendable, Equatable {
  /// The instant (UTC).
  public var time: Date
  /// The antenna's position.
  public var position: GeoPosition
  /// Heading in degrees from true north, clockwise; `nil` when unknown (stopped since the start).
  public var heading: Double?
  /// How far the heading may be off, degrees.
  public var headingUncertainty: Double
  /// Speed over ground, metres per second.
  public var speed: Double
  /// Horizontal position uncertainty in metres: the fixes' error estimate, grown when extrapolated.
  public var uncertainty: Double
  /// How the pose was obtained.
  public var method: Method

  /// How a pose was obtained from the fixes.
  public enum Method: String, Sendable {
    /// Interpolated between two fixes around the instant.
    case interpolated
    /// Carried forward (or back) from the nearest fix, within the extrapolation limit.
    case extrapolated
  }

  /// Makes a pose.
  public init(
    time: Date, position: GeoPosition, heading: Double?, headingUncertainty: Double = 180, speed: Double = 0,
    uncertainty: Double, method: Method = .interpolated
  ) {
    self.time = time
    self.position = position
    self.heading = heading
    self.headingUncertainty = headingUncertainty
    self.speed = speed
    self.uncertainty = uncertainty
    self.method = method
  }
}
