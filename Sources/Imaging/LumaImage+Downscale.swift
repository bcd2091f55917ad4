// SPDX-License-Identifier: AGPL-3.0-or-later

extension LumaImage {
  /// This image scaled to `newWidth`×`newHeight` without aliasing when shrinking: it first
  /// averages k×k blocks (k = the whole part of the shrink factor), then resizes bilinearly.
  /// Close to OpenCV's `INTER_AREA`, which the training pipeline uses to shrink images.
  public func downscaled(width newWidth: Int, height newHeight: Int) -> LumaImage {
    let k = min(width / max(1, newWidth), height / max(1, newHeight))
    guard k >= 2 else {
      return newWidth == width && newHeight == height ? self : resized(width: newWidth, height: newHeight)
    }
    let blocks = k == 2 ? halved() : blockAveraged(k)
    // The block grid covers (bw*k)×(bh*k) pixels; when the sizes were exact multiples this is the result.
    return blocks.width == newWidth && blocks.height == newHeight
      ? blocks : blocks.resized(width: newWidth, height: newHeight)
  }

  /// 2×2 block averages: the common case (1280×720 → 640×360), a tight loop the compiler vectorises.
  private func halved() -> LumaImage {
    let bw = width / 2
    let bh = height / 2
    var out = [UInt8](repeating: 0, count: bw * bh)
    pixels.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for by in 0..<bh {
          let r0 = src.baseAddress! + 2 * by * width
          let r1 = r0 + width
          let d = dst.baseAddress! + by * bw
          for bx in 0..<bw {
            let s = UInt16(r0[2 * bx]) &+ UInt16(r0[2 * bx + 1]) &+ UInt16(r1[2 * bx]) &+ UInt16(r1[2 * bx + 1])
            d[bx] = UInt8(truncatingIfNeeded: (s &+ 2) >> 2)
          }
        }
      }
    }
    return LumaImage(unchecked: bw, bh, out)
  }

  /// k×k block averages.
  private func blockAveraged(_ k: Int) -> LumaImage {
    let bw = width / k
    let bh = height / k
    var out = [UInt8](repeating: 0, count: bw * bh)
    let area = k * k
    var sums = [Int](repeating: 0, count: bw)
    pixels.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for by in 0..<bh {
          for i in 0..<bw { sums[i] = 0 }
          for dy in 0..<k {
            let row = (by * k + dy) * width
            for bx in 0..<bw {
              var s = 0
              let base = row + bx * k
              for dx in 0..<k { s += Int(src[base + dx]) }
              sums[bx] += s
            }
          }
          for bx in 0..<bw { dst[by * bw + bx] = UInt8((sums[bx] + area / 2) / area) }
        }
      }
    }
    return LumaImage(unchecked: bw, bh, out)
  }
}
