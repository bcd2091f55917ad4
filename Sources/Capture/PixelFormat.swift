// SPDX-License-Identifier: AGPL-3.0-or-later

import CV4L2

/// A V4L2 pixel format, identified by its four-character code (`MJPG`, `YUYV`, `GREY`).
public struct PixelFormat: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The little-endian four-character code, as V4L2 defines it.
  public var fourcc: UInt32

  /// Creates a format from its V4L2 code.
  public init(fourcc: UInt32) { self.fourcc = fourcc }

  /// Creates a format from its four-character name; nil unless the name has exactly four ASCII characters.
  public init?(name: String) {
    let bytes = Array(name.utf8)
    guard bytes.count == 4, bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
    fourcc = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
  }

  /// Motion JPEG: each frame is a JPEG stream.
  public static let mjpeg = PixelFormat(fourcc: CV4L2_PIX_FMT_MJPEG)
  /// Plain JPEG, which some cameras announce instead of MJPEG; the bytes are the same kind.
  public static let jpeg = PixelFormat(fourcc: CV4L2_PIX_FMT_JPEG)
  /// Packed 4:2:2 Y0 U Y1 V, two bytes per pixel.
  public static let yuyv = PixelFormat(fourcc: CV4L2_PIX_FMT_YUYV)
  /// 8-bit luma only, one byte per pixel.
  public static let grey = PixelFormat(fourcc: CV4L2_PIX_FMT_GREY)

  /// The four-character name, e.g. `MJPG`.
  public var name: String {
    // Bit 31 marks the big-endian variant of a format (v4l2_fourcc_be).
    let bytes = (0..<4).map { UInt8(truncatingIfNeeded: (fourcc & 0x7FFF_FFFF) >> (8 * $0)) }
    let text = String(decoding: bytes.map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    return fourcc & 0x8000_0000 != 0 ? text + "-BE" : text
  }

  public var description: String { name }

  /// Whether frames of this format are JPEG streams (variable size, end with an EOI marker).
  public var isJPEG: Bool { self == .mjpeg || self == .jpeg }

  /// The byte count of one raw frame, or nil for compressed or unknown formats. A size no frame
  /// can have (negative, or a product past `Int.max`, as a damaged dump may state) needs -1 bytes.
  public func rawByteCount(width: Int, height: Int) -> Int? {
    let bytesPerPixel: Int
    switch self {
    case .yuyv: bytesPerPixel = 2
    case .grey: bytesPerPixel = 1
    default: return nil
    }
    guard width >= 0, height >= 0 else { return -1 }
    let (pixels, tooMany) = width.multipliedReportingOverflow(by: height)
    let (bytes, tooLarge) = pixels.multipliedReportingOverflow(by: bytesPerPixel)
    return tooMany || tooLarge ? -1 : bytes
  }

  /// The file extension a frame dump uses for this format.
  public var dumpFileExtension: String {
    switch self {
    case .mjpeg, .jpeg: "jpg"
    case .yuyv: "yuyv"
    case .grey: "gray"
    default: String(name.lowercased().filter { $0 != " " })
    }
  }

  public init(from decoder: any Decoder) throws {
    let name = try decoder.singleValueContainer().decode(String.self)
    guard let format = PixelFormat(name: name) else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "pixel format \(name) is not a four-character code"))
    }
    self = format
  }

  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(name)
  }
}
