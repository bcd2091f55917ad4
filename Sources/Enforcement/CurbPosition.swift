// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// A point on the curb where a parked car was seen, with the radius of its uncertainty.
///
/// The caller projects the vehicle's fix onto the curb (Positioning does that); Enforcement only
/// needs the result and how far off it may be.
public struct CurbPosition: Sendable, Hashable, Codable {
  /// Latitude in degrees, WGS 84.
  public var latitude: Double
  /// Longitude in degrees, WGS 84.
  public var longitude: Double
  /// Radius in metres within which the true position lies (about one standard deviation is fine; be consistent).
  public var uncertainty: Double

  /// Creates a curb position.
  public init(latitude: Double, longitude: Double, uncertainty: Double) {
    self.latitude = latitude
    self.longitude = longitude
    self.uncertainty = uncertainty
  }

  /// Mean Earth radius in metres (IUGG).
  static let earthRadius = 6_371_008.8

  /// Great-circle distance in metres to another position, ignoring both uncertainties.
  public func distance(to other: CurbPosition) -> Double {
    let phi1 = latitude * .pi / 180
    let phi2 = other.latitude * .pi / 180
    let dPhi = phi2 - phi1
    let dLambda = (other.longitude - longitude) * .pi / 180
    let a = sin(dPhi / 2) * sin(dPhi / 2) + cos(phi1) * cos(phi2) * sin(dLambda / 2) * sin(dLambda / 2)
    return 2 * Self.earthRadius * asin(min(1, a.squareRoot()))
  }

  /// Returns this position moved by the given number of metres east and north (for tests and tools).
  public func offset(east: Double, north: Double) -> CurbPosition {
    let dLat = north / Self.earthRadius * 180 / .pi
    let dLon = east / (Self.earthRadius * cos(latitude * .pi / 180)) * 180 / .pi
    return CurbPosition(latitude: latitude + dLat, longitude: longitude + dLon, uncertainty: uncertainty)
  }
}
