// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

extension LumaImage {
  /// The quadrilateral `quad` of this image, rectified to an upright `width`×`height` image.
  ///
  /// The quad's corners map to the corners of the output (TL→(0,0), TR→(width,0), …); every
  /// output pixel centre is mapped back into this image and sampled bilinearly (edges clamped).
  public func warped(_ quad: Quad, width outWidth: Int, height outHeight: Int) throws(ImagingError) -> LumaImage {
    guard outWidth > 0, outHeight > 0 else {
      throw ImagingError(.badGeometry, "The rectified size \(outWidth)x\(outHeight) is empty.")
    }
    let dstCorners = [
      Point2D(x: 0, y: 0), Point2D(x: Double(outWidth), y: 0),
      Point2D(x: Double(outWidth), y: Double(outHeight)), Point2D(x: 0, y: Double(outHeight)),
    ]
    let t = try PerspectiveTransform(from: dstCorners, to: quad.corners)
    var out = [UInt8](repeating: 0, count: outWidth * outHeight)
    let h = t.h
    let w = width
    let hgt = height
    pixels.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for v in 0..<outHeight {
          let py = Double(v) + 0.5
          for u in 0..<outWidth {
            let px = Double(u) + 0.5
            let den = h[6] * px + h[7] * py + 1
            let sx = (h[0] * px + h[1] * py + h[2]) / den - 0.5
            let sy = (h[3] * px + h[4] * py + h[5]) / den - 0.5
            let fx = max(0, min(Double(w - 1), sx))
            let fy = max(0, min(Double(hgt - 1), sy))
            let ix = Int(fx)
            let iy = Int(fy)
            let ix1 = min(ix + 1, w - 1)
            let iy1 = min(iy + 1, hgt - 1)
            let ax = fx - Double(ix)
            let ay = fy - Double(iy)
            let top = Double(src[iy * w + ix]) * (1 - ax) + Double(src[iy * w + ix1]) * ax
            let bottom = Double(src[iy1 * w + ix]) * (1 - ax) + Double(src[iy1 * w + ix1]) * ax
            dst[v * outWidth + u] = UInt8(max(0, min(255, (top * (1 - ay) + bottom * ay).rounded())))
          }
        }
      }
    }
    return LumaImage(unchecked: outWidth, outHeight, out)
  }
}
