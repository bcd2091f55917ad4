// SPDX-License-Identifier: AGPL-3.0-or-later

/// What a V4L2 device node offers: identity, inputs, formats with sizes and frame intervals,
/// and controls. `chalkline devices` prints it; `--json` encodes it as is.
public struct DeviceDescription: Codable, Sendable, Equatable {
  /// The node's path.
  public var path: String
  /// The driver name (VIDIOC_QUERYCAP `driver`).
  public var driver: String
  /// The device name (`card`).
  public var card: String
  /// Where the device sits (`bus_info`).
  public var busInfo: String
  /// The node's capability bits (`device_caps`).
  public var capabilities: UInt32
  /// Whether the node captures video.
  public var isCapture: Bool
  /// Whether the node outputs video.
  public var isOutput: Bool
  /// The video inputs (capture nodes) or outputs (output nodes).
  public var inputs: [Input]
  /// The native pixel formats (libv4l2's emulated ones are left out).
  public var formats: [Format]
  /// The controls.
  public var controls: [Control]

  /// A video input or output.
  public struct Input: Codable, Sendable, Equatable {
    /// The index to select it with.
    public var index: UInt32
    /// Its name.
    public var name: String
  }

  /// A pixel format and its sizes.
  public struct Format: Codable, Sendable, Equatable {
    /// The four-character code.
    public var pixelFormat: PixelFormat
    /// The driver's description.
    public var description: String
    /// Whether the frames are compressed.
    public var compressed: Bool
    /// Frame sizes: discrete ones, or the two ends of a stepwise range.
    public var sizes: [Size]
  }

  /// A frame size and its frame intervals.
  public struct Size: Codable, Sendable, Equatable {
    /// Width in pixels.
    public var width: UInt32
    /// Height in pixels.
    public var height: UInt32
    /// Whether this is one end of a continuous or stepwise range.
    public var stepwise: Bool
    /// Frame intervals (seconds per frame as a fraction).
    public var intervals: [Interval]
  }

  /// Seconds per frame as numerator/denominator.
  public struct Interval: Codable, Sendable, Equatable {
    /// Numerator.
    public var numerator: UInt32
    /// Denominator.
    public var denominator: UInt32
    /// Frames per second.
    public var fps: Double { numerator == 0 ? 0 : Double(denominator) / Double(numerator) }
  }

  /// A control (V4L2 QUERYCTRL).
  public struct Control: Codable, Sendable, Equatable {
    /// The control id.
    public var id: UInt32
    /// Its name.
    public var name: String
    /// The V4L2 control type (1 integer, 2 boolean, 3 menu, 4 button, …).
    public var type: UInt32
    /// Minimum value.
    public var minimum: Int32
    /// Maximum value.
    public var maximum: Int32
    /// Step.
    public var step: Int32
    /// Default value.
    public var defaultValue: Int32
    /// The current value, when it can be read.
    public var value: Int32?
  }
}

extension DeviceDescription {
  /// A text listing in the spirit of `v4l2-ctl --all --list-formats-ext`.
  public var text: String {
    var lines = ["\(path): \(card) (driver \(driver), \(busInfo))"]
    let kind = [isCapture ? "capture" : nil, isOutput ? "output" : nil].compactMap { $0 }.joined(separator: ", ")
    lines.append("  capabilities: 0x\(String(capabilities, radix: 16)) \(kind)")
    for input in inputs { lines.append("  \(isCapture ? "input" : "output") \(input.index): \(input.name)") }
    for format in formats {
      lines.append(
        "  format '\(format.pixelFormat.name)' (\(format.description))\(format.compressed ? ", compressed" : "")")
      for size in format.sizes {
        lines.append("    size \(size.stepwise ? "range end " : "")\(size.width)x\(size.height)")
        for interval in size.intervals {
          let fps = (interval.fps * 1000).rounded() / 1000
          lines.append("      interval \(interval.numerator)/\(interval.denominator) s (\(fps) fps)")
        }
      }
    }
    for control in controls {
      let value = control.value.map { " value=\($0)" } ?? ""
      lines.append(
        "  control 0x\(String(control.id, radix: 16)) \(control.name): type \(control.type) "
          + "min=\(control.minimum) max=\(control.maximum) step=\(control.step) default=\(control.defaultValue)\(value)"
      )
    }
    return lines.joined(separator: "\n")
  }
}
