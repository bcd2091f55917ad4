// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// An 8-bit single-channel (luma, Y') image, row-major with no padding between rows.
public struct LumaImage: Sendable, Equatable {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// `width * height` bytes, row after row.
  public var pixels: [UInt8]

  /// Creates an image from its pixels; `pixels.count` must be `width * height`.
  public init(width: Int, height: Int, pixels: [UInt8]) throws(ImagingError) {
    guard width > 0, height > 0, pixels.count == width * height else {
      throw ImagingError(
        .badGeometry, "An image of \(width)x\(height) needs \(max(0, width * height)) bytes, got \(pixels.count).")
    }
    self.width = width
    self.height = height
    self.pixels = pixels
  }

  /// Creates an image filled with one value.
  public init(width: Int, height: Int, fill: UInt8 = 0) {
    precondition(width > 0 && height > 0, "image size must be positive")
    self.width = width
    self.height = height
    self.pixels = [UInt8](repeating: fill, count: width * height)
  }

  /// The pixel at column `x`, row `y`.
  @inlinable
  public subscript(x: Int, y: Int) -> UInt8 {
    get { pixels[y * width + x] }
    set { pixels[y * width + x] = newValue }
  }

  /// The pixels inside `rect`, clipped to the image.
  public func cropped(to rect: PixelRect) throws(ImagingError) -> LumaImage {
    let r = rect.clipped(width: width, height: height)
    guard r.width > 0, r.height > 0 else {
      throw ImagingError(.badGeometry, "The crop \(rect) lies outside the \(width)x\(height) image.")
    }
    var out = [UInt8](repeating: 0, count: r.width * r.height)
    pixels.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        for row in 0..<r.height {
          let s = (r.y + row) * width + r.x
          let d = row * r.width
          for col in 0..<r.width { dst[d + col] = src[s + col] }
        }
      }
    }
    return LumaImage(unchecked: r.width, r.height, out)
  }

  /// Creates an image without checking (internal; callers guarantee the sizes).
  @usableFromInline
  init(unchecked width: Int, _ height: Int, _ pixels: [UInt8]) {
    self.width = width
    self.height = height
    self.pixels = pixels
  }
}
