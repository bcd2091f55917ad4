// SPDX-License-Identifier: AGPL-3.0-or-later

/// An error from decoding, encoding or transforming an image.
///
/// It carries a code a program can switch on, a sentence a technician can act on, and the
/// underlying cause (the libjpeg-turbo message, for example).
public struct ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What went wrong, for programs.
  public enum Code: String, Sendable, Equatable {
    /// The bytes are not a JPEG stream, or the stream is truncated or damaged.
    case corruptJPEG = "corrupt_jpeg"
    /// The JPEG decoder or encoder could not be set up.
    case codecUnavailable = "codec_unavailable"
    /// JPEG encoding failed.
    case encodeFailed = "encode_failed"
    /// A raw frame's byte count does not match its width, height and pixel format.
    case badFrameSize = "bad_frame_size"
    /// A size, rectangle or quadrilateral is empty, negative or degenerate.
    case badGeometry = "bad_geometry"
  }

  /// What went wrong, for programs.
  public var code: Code
  /// What went wrong and what would fix it, for a person.
  public var message: String
  /// The underlying cause, if any (a library's own message).
  public var cause: String?

  /// Creates an error.
  public init(_ code: Code, _ message: String, cause: String? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  /// `code: message (cause)`.
  public var description: String {
    if let cause { return "\(code.rawValue): \(message) (\(cause))" }
    return "\(code.rawValue): \(message)"
  }
}
