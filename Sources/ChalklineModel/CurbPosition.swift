// SPDX-License-Identifier: AGPL-3.0-or-later

/// A point on the curb where a parked car was seen, with the radius of its uncertainty.
///
/// Positioning projects the vehicle's fix onto the curb; the ledger compares two of them, the
/// vault keeps them encrypted and the wire carries them to the hub.
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

  /// Distance in metres to another position (``Geodesy``), ignoring both uncertainties.
  public func distance(to other: CurbPosition) -> Double {
    Geodesy.distance(from: (latitude, longitude), to: (other.latitude, other.longitude))
  }

  /// Returns this position moved by the given number of metres east and north (for tests and tools).
  public func offset(east: Double, north: Double) -> CurbPosition {
    let moved = Geodesy.offset(latitude: latitude, longitude: longitude, north: north, east: east)
    return CurbPosition(latitude: moved.latitude, longitude: moved.longitude, uncertainty: uncertainty)
  }
}
