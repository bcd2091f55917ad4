// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import HubOversight

/// A small, synthetic census-tract file for downtown San José in TIGER/Line GeoJSON form, for
/// tests and generated years. The GEOIDs look like Santa Clara County's (`06085` + tract) but
/// the outlines are made up: a 3 × 3 grid of rectangles over downtown, the centre tract with a
/// hole (as a park or a lake would be), and one tract a `MultiPolygon` with a detached part.
public enum SyntheticTracts {
  /// The area the grid covers.
  public static let south = 37.315
  /// The area the grid covers.
  public static let north = 37.355
  /// The area the grid covers.
  public static let west = -121.910
  /// The area the grid covers.
  public static let east = -121.865

  /// The detached part of tract 5009 (east of the grid).
  public static let island = (south: 37.330, north: 37.336, west: -121.862, east: -121.855)
  /// The hole in tract 5005 (the centre tract).
  public static let hole = (south: 37.331, north: 37.339, west: -121.893, east: -121.882)

  /// The tracts' GeoJSON `FeatureCollection`.
  public static var geoJSON: Data {
    let rows = 3
    let columns = 3
    let height = (north - south) / Double(rows)
    let width = (east - west) / Double(columns)
    var features: [[String: Any]] = []
    for row in 0..<rows {
      for column in 0..<columns {
        let number = 5001 + row * columns + column
        let s = north - Double(row + 1) * height
        let w = west + Double(column) * width
        var polygon = [ring(south: s, north: s + height, west: w, east: w + width)]
        if number == 5005 {
          polygon.append(ring(south: hole.south, north: hole.north, west: hole.west, east: hole.east))
        }
        let geometry: [String: Any]
        if number == 5009 {
          let part = [ring(south: island.south, north: island.north, west: island.west, east: island.east)]
          geometry = ["type": "MultiPolygon", "coordinates": [polygon, part]]
        } else {
          geometry = ["type": "Polygon", "coordinates": polygon]
        }
        features.append([
          "type": "Feature",
          "properties": [
            "STATEFP": "06", "COUNTYFP": "085", "TRACTCE": "\(number)00", "GEOID": "06085\(number)00",
            "NAME": "\(number)", "NAMELSAD": "Census Tract \(number)", "MTFCC": "G5020",
          ],
          "geometry": geometry,
        ])
      }
    }
    let root: [String: Any] = [
      "type": "FeatureCollection",
      "name": "synthetic_tracts_06085_downtown_san_jose (made up for tests; not Census Bureau data)",
      "features": features,
    ]
    return (try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])) ?? Data()
  }

  /// A closed, counter-clockwise rectangle of `[longitude, latitude]` positions.
  static func ring(south: Double, north: Double, west: Double, east: Double) -> [[Double]] {
    [[west, south], [east, south], [east, north], [west, north], [west, south]]
  }
}
