// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

// Local, flat-earth geodesy on WGS84 radii of curvature. Chalkline works over metres to a few hundred metres
// (between two fixes, from the antenna to the curb), where this is exact to well under a centimetre.
extension GeoPosition {
  private static let semiMajorAxis = 6_378_137.0
  private static let eccentricitySquared = 6.694_379_990_14e-3

  /// Metres per degree of latitude and of longitude at this latitude.
  var metresPerDegree: (north: Double, east: Double) {
    let phi = latitude * .pi / 180
    let s = sin(phi)
    let w = (1 - Self.eccentricitySquared * s * s).squareRoot()
    let meridional = Self.semiMajorAxis * (1 - Self.eccentricitySquared) / (w * w * w)
    let primeVertical = Self.semiMajorAxis / w
    return (meridional * .pi / 180, primeVertical * cos(phi) * .pi / 180)
  }

  /// The position `north` and `east` metres away from this one.
  public func offset(north: Double, east: Double) -> GeoPosition {
    let scale = metresPerDegree
    var longitude = self.longitude + east / scale.east
    if longitude > 180 { longitude -= 360 }
    if longitude < -180 { longitude += 360 }
    return GeoPosition(latitude: latitude + north / scale.north, longitude: longitude)
  }

  /// The position `distance` metres away along `bearing` (degrees from true north, clockwise).
  public func moved(distance: Double, bearing: Double) -> GeoPosition {
    let theta = bearing * .pi / 180
    return offset(north: distance * cos(theta), east: distance * sin(theta))
  }

  /// North and east metres from this position to `other`.
  public func displacement(to other: GeoPosition) -> (north: Double, east: Double) {
    let mid = GeoPosition(latitude: (latitude + other.latitude) / 2, longitude: longitude)
    let scale = mid.metresPerDegree
    var dLon = other.longitude - longitude
    if dLon > 180 { dLon -= 360 }
    if dLon < -180 { dLon += 360 }
    return ((other.latitude - latitude) * scale.north, dLon * scale.east)
  }

  /// Distance in metres to `other`.
  public func distance(to other: GeoPosition) -> Double {
    let d = displacement(to: other)
    return (d.north * d.north + d.east * d.east).squareRoot()
  }

  /// Bearing in degrees (0..<360, clockwise from true north) from this position to `other`.
  public func bearing(to other: GeoPosition) -> Double {
    let d = displacement(to: other)
    return Heading.normalized(atan2(d.east, d.north) * 180 / .pi)
  }
}
