// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// A plane-to-plane projective mapping (a 3×3 homography with h33 = 1).
public struct PerspectiveTransform: Sendable, Equatable {
  /// Row-major h11…h32 (h33 is 1).
  public let h: [Double]

  /// The transform that maps `from[i]` to `to[i]` for the four point pairs.
  public init(from: [Point2D], to: [Point2D]) throws(ImagingError) {
    guard from.count == 4, to.count == 4 else {
      throw ImagingError(.badGeometry, "A perspective transform needs exactly four point pairs.")
    }
    // Solve the 8×8 system A·h = b (Gaussian elimination with partial pivoting).
    var a = [[Double]](repeating: [Double](repeating: 0, count: 9), count: 8)
    for i in 0..<4 {
      let (x, y, u, v) = (from[i].x, from[i].y, to[i].x, to[i].y)
      a[2 * i] = [x, y, 1, 0, 0, 0, -u * x, -u * y, u]
      a[2 * i + 1] = [0, 0, 0, x, y, 1, -v * x, -v * y, v]
    }
    for col in 0..<8 {
      var pivot = col
      for r in (col + 1)..<8 where abs(a[r][col]) > abs(a[pivot][col]) { pivot = r }
      guard abs(a[pivot][col]) > 1e-12 else {
        throw ImagingError(.badGeometry, "The four corners are degenerate (three of them lie on one line).")
      }
      a.swapAt(col, pivot)
      for r in 0..<8 where r != col {
        let f = a[r][col] / a[col][col]
        if f != 0 { for c in col..<9 { a[r][c] -= f * a[col][c] } }
      }
    }
    h = (0..<8).map { a[$0][8] / a[$0][$0] }
  }

  /// Maps one point.
  @inlinable
  public func apply(_ p: Point2D) -> Point2D {
    let w = h[6] * p.x + h[7] * p.y + 1
    return Point2D(x: (h[0] * p.x + h[1] * p.y + h[2]) / w, y: (h[3] * p.x + h[4] * p.y + h[5]) / w)
  }
}
