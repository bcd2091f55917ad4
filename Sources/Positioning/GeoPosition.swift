// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// A point on the WGS84 ellipsoid, degrees (north and east positive).
public struct GeoPosition: Sendable, Equatable, Hashable, Codable {
  /// Latitude in degrees, -90...90.
  public var latitude: Double
  /// Longitude in degrees, -180...180.
  public var longitude: Double

  /// Makes a position from degrees.
  public init(latitude: Double, longitude: Double) {
    self.latitude = latitude
    self.longitude = longitude
  }

  /// Whether both coordinates are finite and in range.
  public var isValid: Bool {
    latitude.isFinite && longitude.isFinite && abs(latitude) <= 90 && abs(longitude) <= 180
  }
}
