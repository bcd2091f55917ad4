// SPDX-License-Identifier: AGPL-3.0-or-later
import Capture
import ChalklineModel

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// A frame dump's `dump.json` (`chalkline-dump`, version 1; see DESIGN.md).
public struct DumpManifest: Codable, Sendable, Equatable {
  /// Always `chalkline-dump`.
  public var format: String
  /// The dump format version; this code reads and writes 1.
  public var version: Int
  /// The camera the frames came from.
  public var camera: Camera
  /// When recording started (TIME: ISO 8601 UTC with milliseconds).
  public var created: String

  /// The camera section.
  public struct Camera: Codable, Sendable, Equatable {
    /// The device path.
    public var device: String
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// `MJPG`, `YUYV` or `GREY`.
    public var pixelFormat: PixelFormat
    /// Frames per second asked for.
    public var fps: Double

    /// Creates a camera section.
    public init(device: String, width: Int, height: Int, pixelFormat: PixelFormat, fps: Double) {
      self.device = device
      self.width = width
      self.height = height
      self.pixelFormat = pixelFormat
      self.fps = fps
    }

    enum CodingKeys: String, CodingKey {
      case device, width, height, fps
      case pixelFormat = "pixel_format"
    }
  }

  /// The `format` value of every chalkline dump.
  public static let formatName = "chalkline-dump"

  /// Creates a version 1 manifest.
  public init(camera: Camera, created: Date) {
    self.format = Self.formatName
    self.version = 1
    self.camera = camera
    self.created = UTCTime.format(created)
  }
}

/// One `frames.jsonl` line: a frame's place in the dump.
public struct DumpFrameRecord: Codable, Sendable, Equatable {
  /// The frame's sequence number.
  public var seq: UInt64
  /// Capture time (TIME).
  public var time: String
  /// The frame file, relative to the dump directory, e.g. `frames/000000.jpg`.
  public var file: String
  /// `MJPG`, `YUYV` or `GREY`.
  public var pixelFormat: PixelFormat
  /// Width in pixels.
  public var width: Int
  /// Height in pixels.
  public var height: Int

  enum CodingKeys: String, CodingKey {
    case seq, time, file, width, height
    case pixelFormat = "pixel_format"
  }

  /// The line as written, keys in the order DESIGN.md shows, without the newline.
  public var jsonLine: String {
    "{\"seq\": \(seq), \"time\": \"\(time)\", \"file\": \"\(file)\", \"pixel_format\": \"\(pixelFormat.name)\", "
      + "\"width\": \(width), \"height\": \(height)}"
  }
}
