// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// A GeoJSON polygon (outer ring, optional holes) with the geometry Enforcement needs.
public struct ZonePolygon: Sendable, Hashable {
  /// Rings of `(longitude, latitude)` pairs; the first is the outer ring, the rest are holes.
  public var rings: [[Vertex]]

  /// One vertex, in degrees.
  public struct Vertex: Sendable, Hashable {
    public var longitude: Double
    public var latitude: Double
    public init(longitude: Double, latitude: Double) {
      self.longitude = longitude
      self.latitude = latitude
    }
  }

  /// Creates a polygon.
  public init(rings: [[Vertex]]) { self.rings = rings }

  /// The bounding box in degrees: (min lon, min lat, max lon, max lat).
  public var bounds: (minLon: Double, minLat: Double, maxLon: Double, maxLat: Double) {
    let all = rings.first ?? []
    return (
      all.map(\.longitude).min() ?? 0, all.map(\.latitude).min() ?? 0,
      all.map(\.longitude).max() ?? 0, all.map(\.latitude).max() ?? 0
    )
  }

  /// The mean of the outer ring's vertices (without the closing repeat).
  public var center: Vertex {
    let ring = Array((rings.first ?? []).dropLast())
    guard !ring.isEmpty else { return Vertex(longitude: 0, latitude: 0) }
    return Vertex(
      longitude: ring.map(\.longitude).reduce(0, +) / Double(ring.count),
      latitude: ring.map(\.latitude).reduce(0, +) / Double(ring.count))
  }

  /// Signed distance in metres from a point to the polygon's boundary: negative inside, positive outside.
  ///
  /// Uses the local flat-earth metres of ``Geodesy`` around the point, exact for block faces
  /// tens of metres long.
  public func signedDistance(latitude: Double, longitude: Double) -> Double {
    let (metresPerDegreeLat, metresPerDegreeLon) = Geodesy.metresPerDegree(atLatitude: latitude)
    var inside = false
    var nearest = Double.infinity
    for ring in rings {
      guard ring.count >= 2 else { continue }
      var previous = ring[ring.count - 1]
      for vertex in ring {
        let ax = (previous.longitude - longitude) * metresPerDegreeLon
        let ay = (previous.latitude - latitude) * metresPerDegreeLat
        let bx = (vertex.longitude - longitude) * metresPerDegreeLon
        let by = (vertex.latitude - latitude) * metresPerDegreeLat
        // Ray casting towards +x from the origin (the point).
        if (ay > 0) != (by > 0) {
          let crossX = ax + (0 - ay) * (bx - ax) / (by - ay)
          if crossX > 0 { inside.toggle() }
        }
        nearest = min(nearest, Self.distanceFromOrigin(ax, ay, bx, by))
        previous = vertex
      }
    }
    return inside ? -nearest : nearest
  }

  /// Distance from (0, 0) to the segment from (ax, ay) to (bx, by).
  static func distanceFromOrigin(_ ax: Double, _ ay: Double, _ bx: Double, _ by: Double) -> Double {
    let dx = bx - ax
    let dy = by - ay
    let lengthSquared = dx * dx + dy * dy
    var t = lengthSquared > 0 ? -(ax * dx + ay * dy) / lengthSquared : 0
    t = max(0, min(1, t))
    let px = ax + t * dx
    let py = ay + t * dy
    return (px * px + py * py).squareRoot()
  }
}
