// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// An error from decoding, encoding or transforming an image (the cause is the libjpeg-turbo message, for example).
public typealias ImagingError = CodedError<ImagingDomain>

/// The domain of ``ImagingError``.
public enum ImagingDomain: ErrorDomain {}

extension CodedError.Code where Domain == ImagingDomain {
  /// The bytes are not a JPEG stream, or the stream is truncated or damaged.
  public static let corruptJPEG = Self("corrupt-jpeg")
  /// The JPEG decoder or encoder could not be set up.
  public static let codecUnavailable = Self("codec-unavailable")
  /// JPEG encoding failed.
  public static let encodeFailed = Self("encode-failed")
  /// A raw frame's byte count does not match its width, height and pixel format.
  public static let badFrameSize = Self("bad-frame-size")
  /// A size, rectangle or quadrilateral is empty, negative or degenerate.
  public static let badGeometry = Self("bad-geometry")
}
