// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// A uniform grid over longitude and latitude that lists, per cell, the zones whose bounding box
/// touches it, so a lookup tests only the few polygons near a position instead of every zone.
struct ZoneGrid: Sendable {
  /// Cell size in degrees (0.0005° is about 55 m north–south and 44 m east–west in San José).
  let cellSize: Double
  private var cells: [Cell: [Int]] = [:]
  /// Zones too large to list cell by cell (none from a valid file); every lookup tests them.
  private var oversized: [Int] = []

  private struct Cell: Hashable {
    var x: Int
    var y: Int
  }

  /// Builds the grid for zones' polygons, given in the same order as the caller's zone array.
  init(polygons: [ZonePolygon], cellSize: Double = 0.0005) {
    self.cellSize = cellSize
    for (index, polygon) in polygons.enumerated() {
      let box = polygon.bounds
      let x0 = Int(floor(box.minLon / cellSize))
      let x1 = Int(floor(box.maxLon / cellSize))
      let y0 = Int(floor(box.minLat / cellSize))
      let y1 = Int(floor(box.maxLat / cellSize))
      guard (x1 - x0 + 1) * (y1 - y0 + 1) <= 40_000 else {
        oversized.append(index)
        continue
      }
      for x in x0...x1 {
        for y in y0...y1 { cells[Cell(x: x, y: y), default: []].append(index) }
      }
    }
  }

  /// Indices of zones whose bounding box may lie within `radius` metres of a point.
  func candidates(latitude: Double, longitude: Double, radius: Double) -> [Int] {
    let scale = Geodesy.metresPerDegree(atLatitude: latitude)
    let dLat = radius / scale.north
    let dLon = radius / max(0.01 * scale.north, scale.east)
    let x0 = Int(floor((longitude - dLon) / cellSize))
    let x1 = Int(floor((longitude + dLon) / cellSize))
    let y0 = Int(floor((latitude - dLat) / cellSize))
    let y1 = Int(floor((latitude + dLat) / cellSize))
    if x0 == x1, y0 == y1, oversized.isEmpty { return cells[Cell(x: x0, y: y0)] ?? [] }
    var found = oversized
    for x in x0...x1 {
      for y in y0...y1 { found.append(contentsOf: cells[Cell(x: x, y: y)] ?? []) }
    }
    return Array(Set(found)).sorted()
  }
}
