// SPDX-License-Identifier: AGPL-3.0-or-later

/// A point in image coordinates (pixels; x right, y down; pixel centres at +0.5).
public struct Point2D: Sendable, Equatable, Hashable {
  /// Horizontal coordinate.
  public var x: Double
  /// Vertical coordinate.
  public var y: Double
  /// Creates a point.
  public init(x: Double, y: Double) {
    self.x = x
    self.y = y
  }
}

/// An axis-aligned rectangle of whole pixels.
public struct PixelRect: Sendable, Equatable, Hashable, CustomStringConvertible {
  /// Left column.
  public var x: Int
  /// Top row.
  public var y: Int
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int
  /// Creates a rectangle.
  public init(x: Int, y: Int, width: Int, height: Int) {
    self.x = x
    self.y = y
    self.width = width
    self.height = height
  }
  /// The part of this rectangle inside a `width`×`height` image (may be empty).
  public func clipped(width w: Int, height h: Int) -> PixelRect {
    let x0 = max(0, x)
    let y0 = max(0, y)
    let x1 = min(w, x + width)
    let y1 = min(h, y + height)
    return PixelRect(x: x0, y: y0, width: max(0, x1 - x0), height: max(0, y1 - y0))
  }
  /// `WxH+X+Y`.
  public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}

/// Four corners of a (possibly tilted) quadrilateral: top-left, top-right, bottom-right, bottom-left.
public struct Quad: Sendable, Equatable, Hashable {
  /// Top-left corner.
  public var topLeft: Point2D
  /// Top-right corner.
  public var topRight: Point2D
  /// Bottom-right corner.
  public var bottomRight: Point2D
  /// Bottom-left corner.
  public var bottomLeft: Point2D

  /// Creates a quadrilateral from its corners, clockwise from top-left.
  public init(topLeft: Point2D, topRight: Point2D, bottomRight: Point2D, bottomLeft: Point2D) {
    self.topLeft = topLeft
    self.topRight = topRight
    self.bottomRight = bottomRight
    self.bottomLeft = bottomLeft
  }

  /// The axis-aligned rectangle `x, y, w, h` as a quadrilateral.
  public init(x: Double, y: Double, width: Double, height: Double) {
    self.init(
      topLeft: Point2D(x: x, y: y), topRight: Point2D(x: x + width, y: y),
      bottomRight: Point2D(x: x + width, y: y + height), bottomLeft: Point2D(x: x, y: y + height))
  }

  /// The corners in order TL, TR, BR, BL.
  public var corners: [Point2D] { [topLeft, topRight, bottomRight, bottomLeft] }

  /// The smallest axis-aligned box holding the four corners: (minX, minY, maxX, maxY).
  public var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double) {
    let xs = corners.map(\.x)
    let ys = corners.map(\.y)
    return (xs.min()!, ys.min()!, xs.max()!, ys.max()!)
  }

  /// The centre of the four corners.
  public var center: Point2D {
    Point2D(
      x: (topLeft.x + topRight.x + bottomRight.x + bottomLeft.x) / 4,
      y: (topLeft.y + topRight.y + bottomRight.y + bottomLeft.y) / 4)
  }

  /// Every corner scaled by `sx`, `sy`.
  public func scaled(x sx: Double, y sy: Double) -> Quad {
    func s(_ p: Point2D) -> Point2D { Point2D(x: p.x * sx, y: p.y * sy) }
    return Quad(topLeft: s(topLeft), topRight: s(topRight), bottomRight: s(bottomRight), bottomLeft: s(bottomLeft))
  }
}
