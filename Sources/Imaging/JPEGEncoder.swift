// SPDX-License-Identifier: AGPL-3.0-or-later
import CTurboJPEG
import ChalklineModel

/// Encodes luma or RGB images to JPEG with libjpeg-turbo (for evidence crops).
///
/// Use one encoder from one thread at a time.
public final class JPEGEncoder {
  private let handle: tjhandle

  /// Creates an encoder. The corresponding C function is `tjInitCompress`.
  public init() throws(ImagingError) {
    guard let h = tjInitCompress() else {
      throw ImagingError(.codecUnavailable, "libjpeg-turbo could not create a compressor; is libturbojpeg0 installed?")
    }
    handle = h
  }

  deinit { tjDestroy(handle) }

  /// A greyscale JPEG of `image` at `quality` (1–100).
  public func encode(_ image: LumaImage, quality: Int = 90) throws(ImagingError) -> [UInt8] {
    try encode(
      image.pixels, width: image.width, height: image.height, pixelFormat: CTurboJPEG_PF_GRAY, bytesPerPixel: 1,
      subsampling: CTurboJPEG_SAMP_GRAY, quality: quality)
  }

  /// A colour (4:2:0) JPEG of `image` at `quality` (1–100).
  public func encode(_ image: RGBImage, quality: Int = 90) throws(ImagingError) -> [UInt8] {
    try encode(
      image.pixels, width: image.width, height: image.height, pixelFormat: CTurboJPEG_PF_RGB, bytesPerPixel: 3,
      subsampling: CTurboJPEG_SAMP_420, quality: quality)
  }

  private func encode(
    _ pixels: [UInt8], width: Int, height: Int, pixelFormat: Int32, bytesPerPixel: Int, subsampling: Int32,
    quality: Int
  ) throws(ImagingError) -> [UInt8] {
    var buffer: UnsafeMutablePointer<UInt8>? = nil
    var size: UInt = 0
    let rc = pixels.withUnsafeBufferPointer { src in
      tjCompress2(
        handle, src.baseAddress, Int32(width), Int32(width * bytesPerPixel), Int32(height), pixelFormat, &buffer,
        &size, subsampling, Int32(max(1, min(100, quality))), 0)
    }
    defer { if let buffer { tjFree(buffer) } }
    guard rc == 0, let buffer else {
      throw ImagingError(
        .encodeFailed, "Could not encode a \(width)x\(height) image as JPEG.",
        detail: tjGetErrorStr2(handle).map { String(cString: $0) } ?? "no libjpeg-turbo message")
    }
    return Array(UnsafeBufferPointer(start: buffer, count: Int(size)))
  }
}
