// SPDX-License-Identifier: AGPL-3.0-or-later
import CTurboJPEG
import ChalklineModel

/// A decode-time downscaling factor that libjpeg-turbo supports (it skips DCT work, so a half-size
/// decode costs far less than a full decode followed by a resize).
public struct JPEGScale: Sendable, Equatable {
  /// Numerator.
  public let numerator: Int
  /// Denominator.
  public let denominator: Int
  /// Full size.
  public static let full = JPEGScale(numerator: 1, denominator: 1)
  /// Half width and height.
  public static let half = JPEGScale(numerator: 1, denominator: 2)
  /// A quarter of width and height.
  public static let quarter = JPEGScale(numerator: 1, denominator: 4)
  /// Creates a factor; use one of the libjpeg-turbo factors (n/8 for n = 1…16, reduced).
  public init(numerator: Int, denominator: Int) {
    self.numerator = numerator
    self.denominator = denominator
  }
  /// A dimension scaled as libjpeg-turbo does (`TJSCALED`, rounding up).
  public func scaled(_ dimension: Int) -> Int { (dimension * numerator + denominator - 1) / denominator }
}

/// The size of a JPEG stream, read from its header.
public struct JPEGHeader: Sendable, Equatable {
  /// Width in pixels.
  public let width: Int
  /// Height in pixels.
  public let height: Int
  /// Creates a header value.
  public init(width: Int, height: Int) {
    self.width = width
    self.height = height
  }
}

/// Decodes JPEG (and MJPEG frame) bytes with libjpeg-turbo's TurboJPEG 2.x API.
///
/// One decoder holds one TurboJPEG handle; use it from one thread at a time and keep it for
/// many frames (making a handle costs more than decoding a small frame).
public final class JPEGDecoder {
  private let handle: tjhandle

  /// Creates a decoder. The corresponding C function is `tjInitDecompress`.
  public init() throws(ImagingError) {
    guard let h = tjInitDecompress() else {
      throw ImagingError(
        .codecUnavailable, "libjpeg-turbo could not create a decompressor; is libturbojpeg0 installed?")
    }
    handle = h
  }

  deinit { tjDestroy(handle) }

  /// The width and height stored in `jpeg`'s header. The corresponding C function is `tjDecompressHeader3`.
  public func header(of jpeg: [UInt8]) throws(ImagingError) -> JPEGHeader {
    var w: Int32 = 0
    var h: Int32 = 0
    var subsamp: Int32 = 0
    var colorspace: Int32 = 0
    let rc = jpeg.withUnsafeBufferPointer { p in
      tjDecompressHeader3(handle, p.baseAddress, UInt(p.count), &w, &h, &subsamp, &colorspace)
    }
    guard rc == 0, w > 0, h > 0 else {
      throw ImagingError(
        .corruptJPEG,
        "The frame is not a readable JPEG (\(jpeg.count) bytes): skip it and check the camera's MJPEG output.",
        detail: lastError())
    }
    return JPEGHeader(width: Int(w), height: Int(h))
  }

  /// Decodes `jpeg` straight to luma (libjpeg-turbo skips the chroma planes).
  ///
  /// A truncated or damaged stream is an ``ImagingError`` with code `corruptJPEG`, never a
  /// half-grey picture. The corresponding C function is `tjDecompress2` with `TJPF_GRAY`.
  public func decodeLuma(
    _ jpeg: [UInt8], scale: JPEGScale = .full, fastDCT: Bool = false
  ) throws(ImagingError)
    -> LumaImage
  {
    let (w, h) = try decodedSize(of: jpeg, scale: scale)
    var out = [UInt8](repeating: 0, count: w * h)
    try decode(
      jpeg, into: &out, width: w, height: h, pixelFormat: CTurboJPEG_PF_GRAY, bytesPerPixel: 1, fastDCT: fastDCT)
    return LumaImage(unchecked: w, h, out)
  }

  /// Decodes `jpeg` to RGB (for evidence crops).
  public func decodeRGB(_ jpeg: [UInt8], scale: JPEGScale = .full) throws(ImagingError) -> RGBImage {
    let (w, h) = try decodedSize(of: jpeg, scale: scale)
    var out = [UInt8](repeating: 0, count: w * h * 3)
    try decode(jpeg, into: &out, width: w, height: h, pixelFormat: CTurboJPEG_PF_RGB, bytesPerPixel: 3, fastDCT: false)
    return RGBImage(unchecked: w, h, out)
  }

  /// Most pixels a stream may decode to: 8192 x 8192, far above any camera the agent drives.
  public static let maxPixels = 1 << 26

  /// The decoded size, refused past ``maxPixels``: the header is the stream's own word, and a
  /// few hundred damaged bytes can claim 65000 x 65000 (4 GB of luma).
  private func decodedSize(of jpeg: [UInt8], scale: JPEGScale) throws(ImagingError) -> (Int, Int) {
    let head = try header(of: jpeg)
    let w = scale.scaled(head.width)
    let h = scale.scaled(head.height)
    guard w * h <= Self.maxPixels else {
      throw ImagingError(
        .corruptJPEG,
        "The frame's JPEG header states \(head.width)x\(head.height) pixels (at most \(Self.maxPixels) are decoded): "
          + "skip it and check the camera's MJPEG output.")
    }
    return (w, h)
  }

  private func decode(
    _ jpeg: [UInt8], into out: inout [UInt8], width: Int, height: Int, pixelFormat: Int32, bytesPerPixel: Int,
    fastDCT: Bool
  ) throws(ImagingError) {
    let flags = CTurboJPEG_FLAG_STOPONWARNING | (fastDCT ? CTurboJPEG_FLAG_FASTDCT : 0)
    let rc = jpeg.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        tjDecompress2(
          handle, src.baseAddress, UInt(src.count), dst.baseAddress, Int32(width), Int32(width * bytesPerPixel),
          Int32(height), pixelFormat, flags)
      }
    }
    guard rc == 0 else {
      throw ImagingError(
        .corruptJPEG, "The JPEG frame (\(jpeg.count) bytes) is truncated or damaged: it was skipped.",
        detail: lastError())
    }
  }

  private func lastError() -> String {
    guard let c = tjGetErrorStr2(handle) else { return "unknown libjpeg-turbo error" }
    return String(cString: c)
  }
}
