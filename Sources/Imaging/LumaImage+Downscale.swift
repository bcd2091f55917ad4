// SPDX-License-Identifier: AGPL-3.0-or-later

extension LumaImage {
  /// This image scaled to `newWidth`×`newHeight` without aliasing when shrinking: it first
  /// averages k×k blocks (k = the whole part of the shrink factor), then resizes bilinearly.
  /// Close to OpenCV's `INTER_AREA`, which the training pipeline uses to shrink images.
  public func downscaled(width newWidth: Int, height newHeight: Int) -> LumaImage {
    let k = min(width / max(1, newWidth), height / max(1, newHeight))
    guard k >= 2 else { return newWidth == width && newHeight == height ? self : resized(width: newWidth, height: newHeight) }
    let bw = width / k
    let bh = height / k
    var out = [UInt8](repeating: 0, count: bw * bh)
    let area = k * k
    pixels.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        var sums = [Int](repeating: 0, count: bw)
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
    // The block grid covers (bw*k)×(bh*k) pixels; when the sizes were exact multiples this is the result.
    let blocks = LumaImage(unchecked: bw, bh, out)
    return bw == newWidth && bh == newHeight ? blocks : blocks.resized(width: newWidth, height: newHeight)
  }
}
