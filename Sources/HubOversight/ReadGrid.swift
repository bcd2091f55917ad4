// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// A square-ish cell of the report's read grid, by row (south to north) and column (west to east).
public struct GridCell: Sendable, Hashable, Comparable {
  /// Row: latitude divided by the cell's height in degrees, rounded down.
  public var row: Int
  /// Column: longitude divided by the cell's width in degrees, rounded down.
  public var column: Int

  /// Creates a cell.
  public init(row: Int, column: Int) {
    self.row = row
    self.column = column
  }

  /// A stable name, `R<row>C<column>`.
  public var id: String { "R\(row)C\(column)" }

  public static func < (a: GridCell, b: GridCell) -> Bool { (a.row, a.column) < (b.row, b.column) }
}

/// A fixed grid over the city: cells `cellMeters` on a side at `referenceLatitude`, anchored at
/// 0°N 0°E so the same place falls in the same cell every year.
public struct ReadGrid: Sendable {
  /// The side of a cell, metres (at the reference latitude).
  public var cellMeters: Double
  /// The latitude at which cells are square (San José's by default).
  public var referenceLatitude: Double

  /// Creates a grid (default 250 m cells, square at 37.33°N).
  public init(cellMeters: Double = 250, referenceLatitude: Double = 37.33) {
    self.cellMeters = cellMeters
    self.referenceLatitude = referenceLatitude
  }

  var heightDegrees: Double { cellMeters / 111_320 }
  var widthDegrees: Double { heightDegrees / cos(referenceLatitude * .pi / 180) }

  /// The cell a point falls in.
  public func cell(for point: GeoPoint) -> GridCell {
    GridCell(
      row: Int((point.latitude / heightDegrees).rounded(.down)),
      column: Int((point.longitude / widthDegrees).rounded(.down)))
  }

  /// A cell's south-west and north-east corners.
  public func bounds(of cell: GridCell) -> (southWest: GeoPoint, northEast: GeoPoint) {
    (
      GeoPoint(latitude: Double(cell.row) * heightDegrees, longitude: Double(cell.column) * widthDegrees),
      GeoPoint(latitude: Double(cell.row + 1) * heightDegrees, longitude: Double(cell.column + 1) * widthDegrees)
    )
  }
}
