// SPDX-License-Identifier: AGPL-3.0-or-later

extension LumaImage {
  /// This image scaled to `newWidth`×`newHeight` by bilinear interpolation with pixel-centre
  /// alignment (the convention of OpenCV's `INTER_LINEAR` and PyTorch's `align_corners=False`).
  public func resized(width newWidth: Int, height newHeight: Int) -> LumaImage {
    precondition(newWidth > 0 && newHeight > 0, "target size must be positive")
    var out = [UInt8](repeating: 0, count: newWidth * newHeight)
    out.withUnsafeMutableBufferPointer { dst in
      resize(into: dst.baseAddress!, width: newWidth, height: newHeight)
    }
    return LumaImage(unchecked: newWidth, newHeight, out)
  }

  /// Writes this image scaled to `newWidth`×`newHeight` (bilinear, pixel-centre aligned) into `dst`,
  /// which must hold `newWidth * newHeight` bytes; lets a caller reuse one buffer per frame.
  public func resize(into dst: UnsafeMutablePointer<UInt8>, width newWidth: Int, height newHeight: Int) {
    let sx = Double(width) / Double(newWidth)
    let sy = Double(height) / Double(newHeight)
    // Precompute the column taps once per call: x0 and a 0...256 weight.
    var x0s = [Int](repeating: 0, count: newWidth)
    var wxs = [Int](repeating: 0, count: newWidth)
    for x in 0..<newWidth {
      let fx = max(0, min(Double(width - 1), (Double(x) + 0.5) * sx - 0.5))
      let ix = min(Int(fx), width - 2 >= 0 ? max(0, width - 2) : 0)
      x0s[x] = ix
      wxs[x] = width == 1 ? 0 : Int(((fx - Double(ix)) * 256).rounded())
    }
    let w = width
    pixels.withUnsafeBufferPointer { src in
      x0s.withUnsafeBufferPointer { x0p in
        wxs.withUnsafeBufferPointer { wxp in
          for y in 0..<newHeight {
            let fy = max(0, min(Double(height - 1), (Double(y) + 0.5) * sy - 0.5))
            let iy = height == 1 ? 0 : min(Int(fy), height - 2)
            let wy = height == 1 ? 0 : Int(((fy - Double(iy)) * 256).rounded())
            let r0 = iy * w
            let r1 = height == 1 ? r0 : r0 + w
            let row = y * newWidth
            // Wrapping arithmetic: every term is at most 255 · 256 · 256, far from overflowing.
            let step = w == 1 ? 0 : 1
            let (p0, p1, out) = (src.baseAddress! + r0, src.baseAddress! + r1, dst + row)
            for x in 0..<newWidth {
              let ix = x0p[x]
              let wx = wxp[x]
              let top = Int(p0[ix]) &* (256 &- wx) &+ Int(p0[ix &+ step]) &* wx
              let bottom = Int(p1[ix]) &* (256 &- wx) &+ Int(p1[ix &+ step]) &* wx
              out[x] = UInt8(truncatingIfNeeded: (top &* (256 &- wy) &+ bottom &* wy &+ 32768) >> 16)
            }
          }
        }
      }
    }
  }

  /// The value at a fractional position (pixel centres at integer + 0.5), bilinear, edges clamped.
  @inlinable
  public func sample(x: Double, y: Double) -> Double {
    let fx = max(0, min(Double(width - 1), x - 0.5))
    let fy = max(0, min(Double(height - 1), y - 0.5))
    let ix = Int(fx)
    let iy = Int(fy)
    let ix1 = min(ix + 1, width - 1)
    let iy1 = min(iy + 1, height - 1)
    let ax = fx - Double(ix)
    let ay = fy - Double(iy)
    return pixels.withUnsafeBufferPointer { p in
      let a = Double(p[iy * width + ix]) * (1 - ax) + Double(p[iy * width + ix1]) * ax
      let b = Double(p[iy1 * width + ix]) * (1 - ax) + Double(p[iy1 * width + ix1]) * ax
      return a * (1 - ay) + b * ay
    }
  }
}
