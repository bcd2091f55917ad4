// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

extension LumaImage {
  /// The luma plane of a packed YUYV 4:2:2 frame (`Y0 U Y1 V` per two pixels, `width * height * 2` bytes).
  public init(yuyv bytes: [UInt8], width: Int, height: Int) throws(ImagingError) {
    let size = Self.rawSize(width, height, 2)
    guard width > 0, height > 0, width % 2 == 0, size == bytes.count else {
      throw ImagingError(
        .badFrameSize,
        "A YUYV frame of \(width)x\(height) needs an even width and \(size.map(String.init) ?? "too many") bytes, "
          + "got \(bytes.count).")
    }
    let n = width * height
    var out = [UInt8](repeating: 0, count: n)
    bytes.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for i in 0..<n { dst[i] = src[2 * i] }
      }
    }
    self.init(unchecked: width, height, out)
  }

  /// A GREY (8-bit luma) frame as captured, `width * height` bytes.
  public init(grey bytes: [UInt8], width: Int, height: Int) throws(ImagingError) {
    let size = Self.rawSize(width, height, 1)
    guard width > 0, height > 0, size == bytes.count else {
      throw ImagingError(
        .badFrameSize,
        "A GREY frame of \(width)x\(height) needs \(size.map(String.init) ?? "too many") bytes, got \(bytes.count).")
    }
    self.init(unchecked: width, height, bytes)
  }

  /// `width * height * bytesPerPixel`, nil past `Int.max` (a frame record may state any size).
  static func rawSize(_ width: Int, _ height: Int, _ bytesPerPixel: Int) -> Int? {
    let (pixels, tooMany) = width.multipliedReportingOverflow(by: height)
    let (bytes, tooLarge) = pixels.multipliedReportingOverflow(by: bytesPerPixel)
    return tooMany || tooLarge ? nil : bytes
  }
}
