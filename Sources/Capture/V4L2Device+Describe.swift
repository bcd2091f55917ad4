// SPDX-License-Identifier: AGPL-3.0-or-later

import CV4L2
import ChalklineModel

#if canImport(Glibc)
  import Glibc
#endif

extension V4L2Device {
  /// The node's capabilities (VIDIOC_QUERYCAP): device_caps when the driver sets them.
  package func capabilities() throws(CaptureError) -> (driver: String, card: String, bus: String, caps: UInt32) {
    var cap = v4l2_capability()
    do { try ioctl(CV4L2_VIDIOC_QUERYCAP, "VIDIOC_QUERYCAP", &cap) } catch {
      throw CaptureError(.notACamera, "\(path) is not a V4L2 device: check the device path", cause: error)
    }
    let caps = cap.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0 ? cap.device_caps : cap.capabilities
    return (stringFromCTuple(cap.driver), stringFromCTuple(cap.card), stringFromCTuple(cap.bus_info), caps)
  }

  /// Everything the node offers: formats, sizes, intervals, inputs and controls.
  package func describe() throws(CaptureError) -> DeviceDescription {
    let info = try capabilities()
    let isCapture = info.caps & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0
    let isOutput = info.caps & UInt32(V4L2_CAP_VIDEO_OUTPUT) != 0
    let type = isCapture ? V4L2_BUF_TYPE_VIDEO_CAPTURE : V4L2_BUF_TYPE_VIDEO_OUTPUT
    do {
      return DeviceDescription(
        path: path, driver: info.driver, card: info.card, busInfo: info.bus, capabilities: info.caps,
        isCapture: isCapture, isOutput: isOutput, inputs: isCapture ? try inputs() : try outputs(),
        formats: (isCapture || isOutput) ? try formats(type: type) : [], controls: try controls())
    } catch {
      throw captureError(error, doing: "listing what it offers")
    }
  }

  /// The native pixel formats with their sizes and intervals.
  package func formats(type: v4l2_buf_type) throws(SystemCallError) -> [DeviceDescription.Format] {
    var result: [DeviceDescription.Format] = []
    var index: UInt32 = 0
    while true {
      var desc = v4l2_fmtdesc()
      desc.index = index
      desc.type = type.rawValue
      guard try ioctlUnlessInvalid(CV4L2_VIDIOC_ENUM_FMT, "VIDIOC_ENUM_FMT", &desc) else { break }
      index += 1
      // libv4l2 adds formats it converts to in software; we want what the camera sends.
      if desc.flags & UInt32(V4L2_FMT_FLAG_EMULATED) != 0 { continue }
      let format = PixelFormat(fourcc: desc.pixelformat)
      result.append(
        .init(
          pixelFormat: format, description: stringFromCTuple(desc.description),
          compressed: desc.flags & UInt32(V4L2_FMT_FLAG_COMPRESSED) != 0, sizes: try sizes(of: format)))
    }
    return result
  }

  /// The frame sizes of one format (discrete, or the ends of a stepwise range).
  package func sizes(of format: PixelFormat) throws(SystemCallError) -> [DeviceDescription.Size] {
    var result: [DeviceDescription.Size] = []
    var index: UInt32 = 0
    while true {
      var size = v4l2_frmsizeenum()
      size.index = index
      size.pixel_format = format.fourcc
      guard try ioctlUnlessInvalid(CV4L2_VIDIOC_ENUM_FRAMESIZES, "VIDIOC_ENUM_FRAMESIZES", &size) else { break }
      index += 1
      if size.type == V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
        let (w, h) = (size.discrete.width, size.discrete.height)
        result.append(.init(width: w, height: h, stepwise: false, intervals: try intervals(of: format, w, h)))
      } else {
        let s = size.stepwise
        result.append(
          .init(
            width: s.min_width, height: s.min_height, stepwise: true,
            intervals: try intervals(of: format, s.min_width, s.min_height)))
        result.append(
          .init(
            width: s.max_width, height: s.max_height, stepwise: true,
            intervals: try intervals(of: format, s.max_width, s.max_height)))
        break
      }
    }
    return result
  }

  /// The frame intervals of one format and size (discrete, or the ends of a range).
  package func intervals(
    of format: PixelFormat, _ width: UInt32, _ height: UInt32
  ) throws(SystemCallError)
    -> [DeviceDescription.Interval]
  {
    var result: [DeviceDescription.Interval] = []
    var index: UInt32 = 0
    while true {
      var ival = v4l2_frmivalenum()
      ival.index = index
      ival.pixel_format = format.fourcc
      ival.width = width
      ival.height = height
      guard try ioctlUnlessInvalid(CV4L2_VIDIOC_ENUM_FRAMEINTERVALS, "VIDIOC_ENUM_FRAMEINTERVALS", &ival) else {
        break
      }
      index += 1
      if ival.type == V4L2_FRMIVAL_TYPE_DISCRETE.rawValue {
        result.append(.init(numerator: ival.discrete.numerator, denominator: ival.discrete.denominator))
      } else {
        result.append(.init(numerator: ival.stepwise.min.numerator, denominator: ival.stepwise.min.denominator))
        result.append(.init(numerator: ival.stepwise.max.numerator, denominator: ival.stepwise.max.denominator))
        break
      }
    }
    return result
  }

  /// The video inputs of a capture node.
  package func inputs() throws(SystemCallError) -> [DeviceDescription.Input] {
    var result: [DeviceDescription.Input] = []
    while true {
      var input = v4l2_input()
      input.index = UInt32(result.count)
      guard try ioctlUnlessInvalid(CV4L2_VIDIOC_ENUMINPUT, "VIDIOC_ENUMINPUT", &input) else { break }
      result.append(.init(index: input.index, name: stringFromCTuple(input.name)))
    }
    return result
  }

  /// The video outputs of an output node.
  package func outputs() throws(SystemCallError) -> [DeviceDescription.Input] {
    var result: [DeviceDescription.Input] = []
    while true {
      var output = v4l2_output()
      output.index = UInt32(result.count)
      guard try ioctlUnlessInvalid(CV4L2_VIDIOC_ENUMOUTPUT, "VIDIOC_ENUMOUTPUT", &output) else { break }
      result.append(.init(index: output.index, name: stringFromCTuple(output.name)))
    }
    return result
  }

  /// All controls, walked with V4L2_CTRL_FLAG_NEXT_CTRL; disabled ones and class headers are left out.
  package func controls() throws(SystemCallError) -> [DeviceDescription.Control] {
    var result: [DeviceDescription.Control] = []
    var id: UInt32 = 0
    while true {
      var query = v4l2_queryctrl()
      query.id = id | CV4L2_CTRL_FLAG_NEXT_CTRL
      guard try ioctlUnlessInvalid(CV4L2_VIDIOC_QUERYCTRL, "VIDIOC_QUERYCTRL", &query) else { break }
      id = query.id
      if query.flags & UInt32(V4L2_CTRL_FLAG_DISABLED) != 0 { continue }
      if query.type == V4L2_CTRL_TYPE_CTRL_CLASS.rawValue { continue }
      var value: Int32?
      let readable =
        query.type == V4L2_CTRL_TYPE_INTEGER.rawValue || query.type == V4L2_CTRL_TYPE_BOOLEAN.rawValue
        || query.type == V4L2_CTRL_TYPE_MENU.rawValue || query.type == V4L2_CTRL_TYPE_INTEGER_MENU.rawValue
      if readable, query.flags & UInt32(V4L2_CTRL_FLAG_WRITE_ONLY) == 0 {
        var control = v4l2_control()
        control.id = query.id
        if (try? ioctl(CV4L2_VIDIOC_G_CTRL, "VIDIOC_G_CTRL", &control)) != nil { value = control.value }
      }
      result.append(
        .init(
          id: query.id, name: stringFromCTuple(query.name), type: query.type, minimum: query.minimum,
          maximum: query.maximum, step: query.step, defaultValue: query.default_value, value: value))
    }
    return result
  }

  /// Finds a control by its name (case-insensitive), e.g. vivid's "Loop Video".
  package func control(named name: String) throws(SystemCallError) -> DeviceDescription.Control? {
    try controls().first { $0.name.lowercased() == name.lowercased() }
  }

  /// Sets a control's value (VIDIOC_S_CTRL).
  package func setControl(id: UInt32, value: Int32) throws(SystemCallError) {
    var control = v4l2_control()
    control.id = id
    control.value = value
    try ioctl(CV4L2_VIDIOC_S_CTRL, "VIDIOC_S_CTRL", &control)
  }
}
