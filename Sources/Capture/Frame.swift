// SPDX-License-Identifier: AGPL-3.0-or-later

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One picture as the camera delivered it: the captured bytes and what they are.
///
/// Decoding (MJPEG/YUYV/GREY to luma) is the Imaging module's job; a frame only carries the
/// bytes, bit-exact, so a dump replays exactly what the road saw.
public struct Frame: Sendable, Equatable {
  /// Position in capture order, counted by the source (it keeps counting across reconnects).
  public var sequence: UInt64
  /// When the sensor finished the frame, in UTC.
  public var time: Date
  /// The layout of `bytes`.
  public var pixelFormat: PixelFormat
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int
  /// The frame as captured: a JPEG stream for MJPEG, `width*height*2` bytes for YUYV,
  /// `width*height` bytes for GREY.
  public var bytes: [UInt8]

  /// Creates a frame.
  public init(sequence: UInt64, time: Date, pixelFormat: PixelFormat, width: Int, height: Int, bytes: [UInt8]) {
    self.sequence = sequence
    self.time = time
    self.pixelFormat = pixelFormat
    self.width = width
    self.height = height
    self.bytes = bytes
  }

  /// The byte count a raw frame of this format and size must have, or nil for compressed formats.
  public var expectedRawByteCount: Int? {
    pixelFormat.rawByteCount(width: width, height: height)
  }
}
