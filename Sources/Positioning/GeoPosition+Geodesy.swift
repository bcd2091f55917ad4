// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

// The project's one geodesy (``Geodesy``: flat-earth metres on the WGS 84 radii of curvature), in
// a position's terms.
extension GeoPosition {
  /// The position `north` and `east` metres away from this one.
  public func offset(north: Double, east: Double) -> GeoPosition {
    let moved = Geodesy.offset(latitude: latitude, longitude: longitude, north: north, east: east)
    return GeoPosition(latitude: moved.latitude, longitude: moved.longitude)
  }

  /// The position `distance` metres away along `bearing` (degrees from true north, clockwise).
  public func moved(distance: Double, bearing: Double) -> GeoPosition {
    let theta = bearing * .pi / 180
    return offset(north: distance * cos(theta), east: distance * sin(theta))
  }

  /// North and east metres from this position to `other`.
  public func displacement(to other: GeoPosition) -> (north: Double, east: Double) {
    Geodesy.displacement(from: (latitude, longitude), to: (other.latitude, other.longitude))
  }

  /// Distance in metres to `other`.
  public func distance(to other: GeoPosition) -> Double {
    Geodesy.distance(from: (latitude, longitude), to: (other.latitude, other.longitude))
  }

  /// Bearing in degrees (0..<360, clockwise from true north) from this position to `other`.
  public func bearing(to other: GeoPosition) -> Double {
    let d = displacement(to: other)
    return Heading.normalized(atan2(d.east, d.north) * 180 / .pi)
  }
}
