// SPDX-License-Identifier: AGPL-3.0-or-later
#if canImport(Glibc)
  import Glibc
#endif

/// The project's one geodesy: local, flat-earth metres on the WGS 84 radii of curvature.
///
/// Chalkline measures over metres to a few hundred metres (between two fixes, from the antenna to
/// the curb, between two sightings of a parked car), where this is exact to well under a
/// centimetre; a great circle on a sphere would be off by up to half a percent there.
public enum Geodesy {
  /// WGS 84 semi-major axis, metres.
  public static let semiMajorAxis = 6_378_137.0
  /// WGS 84 first eccentricity squared.
  public static let eccentricitySquared = 6.694_379_990_14e-3

  /// Metres per degree of latitude and of longitude at `latitude` (degrees).
  public static func metresPerDegree(atLatitude latitude: Double) -> (north: Double, east: Double) {
    let phi = latitude * .pi / 180
    let s = sin(phi)
    let w = (1 - eccentricitySquared * s * s).squareRoot()
    let meridional = semiMajorAxis * (1 - eccentricitySquared) / (w * w * w)
    let primeVertical = semiMajorAxis / w
    return (meridional * .pi / 180, primeVertical * cos(phi) * .pi / 180)
  }

  /// The point `north` and `east` metres away from (`latitude`, `longitude`), longitude wrapped
  /// into -180...180.
  public static func offset(
    latitude: Double, longitude: Double, north: Double, east: Double
  ) -> (latitude: Double, longitude: Double) {
    let scale = metresPerDegree(atLatitude: latitude)
    var moved = longitude + east / scale.east
    if moved > 180 { moved -= 360 }
    if moved < -180 { moved += 360 }
    return (latitude + north / scale.north, moved)
  }

  /// North and east metres from the first point to the second (degrees).
  public static func displacement(
    from a: (latitude: Double, longitude: Double), to b: (latitude: Double, longitude: Double)
  ) -> (north: Double, east: Double) {
    let scale = metresPerDegree(atLatitude: (a.latitude + b.latitude) / 2)
    var dLon = b.longitude - a.longitude
    if dLon > 180 { dLon -= 360 }
    if dLon < -180 { dLon += 360 }
    return ((b.latitude - a.latitude) * scale.north, dLon * scale.east)
  }

  /// Distance in metres between two points (degrees).
  public static func distance(
    from a: (latitude: Double, longitude: Double), to b: (latitude: Double, longitude: Double)
  ) -> Double {
    let d = displacement(from: a, to: b)
    return (d.north * d.north + d.east * d.east).squareRoot()
  }
}
