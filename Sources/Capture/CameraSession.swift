// SPDX-License-Identifier: AGPL-3.0-or-later

/// The format a device agreed to.
public struct NegotiatedFormat: Sendable, Equatable {
  /// The pixel format.
  public var pixelFormat: PixelFormat
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int
  /// The frame rate the driver reports after S_PARM, if it reports one.
  public var fps: Double?

  /// Creates a negotiated format.
  public init(pixelFormat: PixelFormat, width: Int, height: Int, fps: Double?) {
    self.pixelFormat = pixelFormat
    self.width = width
    self.height = height
    self.fps = fps
  }
}

/// One open, streaming device, from open to close. The camera loop drives it from its thread;
/// `V4L2CaptureSession` is the real one, tests pass a scripted one.
package protocol CameraSession: AnyObject {
  /// The format agreed at open.
  var format: NegotiatedFormat { get }
  /// Waits up to `timeout` for a frame. Nil when none came in time. Throws `corruptBuffer`
  /// (the session goes on) or a fault that ends the session (`deviceUnplugged`, `systemCall`).
  func nextFrame(timeout: Duration) throws(CaptureError) -> Frame?
  /// Stops streaming and releases buffers and the descriptor.
  func close()
}

/// Opens a session: the real one opens, negotiates and starts streaming a V4L2 device.
package typealias CameraSessionOpener = @Sendable (CameraConfiguration) throws(CaptureError) -> any CameraSession
