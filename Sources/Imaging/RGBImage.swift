// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// An 8-bit RGB image (R, G, B interleaved), row-major with no padding; used for evidence crops.
public struct RGBImage: Sendable, Equatable {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// `width * height * 3` bytes.
  public var pixels: [UInt8]

  /// Creates an image from its pixels; `pixels.count` must be `width * height * 3`.
  public init(width: Int, height: Int, pixels: [UInt8]) throws(ImagingError) {
    guard width > 0, height > 0, pixels.count == width * height * 3 else {
      throw ImagingError(
        .badGeometry,
        "An RGB image of \(width)x\(height) needs \(max(0, width * height * 3)) bytes, got \(pixels.count).")
    }
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  init(unchecked width: Int, _ height: Int, _ pixels: [UInt8]) {
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// The pixels inside `rect`, clipped to the image.
  public func cropped(to rect: PixelRect) throws(ImagingError) -> RGBImage {
    let r = rect.clipped(width: width, height: height)
    guard r.width > 0, r.height > 0 else {
      throw ImagingError(.badGeometry, "The crop \(rect) lies outside the \(width)x\(height) image.")
    }
    var out = [UInt8](repeating: 0, count: r.width * r.height * 3)
    for row in 0..<r.height {
      let s = ((r.y + row) * width + r.x) * 3
      out.replaceSubrange((row * r.width * 3)..<((row + 1) * r.width * 3), with: pixels[s..<(s + r.width * 3)])
    }
    return RGBImage(unchecked: r.width, r.height, out)
  }

  /// The luma (BT.601) of this image.
  public var luma: LumaImage {
    var out = [UInt8](repeating: 0, count: width * height)
    pixels.withUnsafeBufferPointer { p in
      for i in 0..<(width * height) {
        let v = 77 * Int(p[3 * i]) + 150 * Int(p[3 * i + 1]) + 29 * Int(p[3 * i + 2])
        out[i] = UInt8((v + 128) >> 8)
      }
    }
    return LumaImage(unchecked: width, height, out)
  }
}
