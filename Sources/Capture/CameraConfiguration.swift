// SPDX-License-Identifier: AGPL-3.0-or-later

/// How to run a V4L2 camera. Every field has a default but the device path.
public struct CameraConfiguration: Sendable, Equatable {
  /// The device node, e.g. `/dev/video0`.
  public var device: String
  /// The video input to select (VIDIOC_S_INPUT), or nil to keep the current one.
  public var input: UInt32?
  /// Pixel formats in order of preference; the first one the device offers and accepts wins.
  public var formats: [PixelFormat] = [.mjpeg, .yuyv, .grey]
  /// The wanted width; the nearest offered size is taken.
  public var width: Int = 1280
  /// The wanted height.
  public var height: Int = 720
  /// The wanted frame rate (VIDIOC_S_PARM), or nil to keep the driver's.
  public var fps: Double? = 30
  /// Manual exposure (V4L2_CID_EXPOSURE_ABSOLUTE, in 100 µs units) where the device has it; nil keeps auto.
  public var exposure: Int32?
  /// Manual gain (V4L2_CID_GAIN) where the device has it; nil keeps the driver's.
  public var gain: Int32?
  /// How many mmap buffers to ask the driver for.
  public var bufferCount: UInt32 = 4
  /// How many frames may wait for the consumer; older ones are dropped (and counted) past that.
  public var queuedFrames: Int = 4
  /// No frame for this long is a stall: the device is closed and opened again.
  public var stallTimeout: Duration = .seconds(3)
  /// First wait before retrying after a fault; doubled each time up to `maximumBackoff`.
  public var initialBackoff: Duration = .milliseconds(100)
  /// Longest wait between retries.
  public var maximumBackoff: Duration = .seconds(5)

  /// Creates a configuration for `device` with the defaults.
  public init(device: String) { self.device = device }
}
