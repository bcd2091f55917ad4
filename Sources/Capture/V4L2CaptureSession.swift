// SPDX-License-Identifier: AGPL-3.0-or-later

import CV4L2
import ChalklineModel
import Logging

#if canImport(Glibc)
  import Glibc
#endif

/// A V4L2 capture device opened, negotiated and streaming with mmap buffers.
package final class V4L2CaptureSession: CameraSession {
  package let format: NegotiatedFormat
  private let device: V4L2Device
  private var buffers: [MappedBuffer]
  private var streaming: Bool
  private let logger: Logger

  /// Opens `configuration.device`, negotiates format, rate and controls, maps buffers and starts streaming.
  /// Everything acquired so far is released when a step fails.
  package init(configuration: CameraConfiguration, logger: Logger) throws(CaptureError) {
    self.logger = logger
    let device = try V4L2Device.open(configuration.device)
    self.device = device
    var buffers: [MappedBuffer] = []
    do throws(CaptureError) {
      let info = try device.capabilities()
      guard info.caps & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0, info.caps & UInt32(V4L2_CAP_STREAMING) != 0 else {
        throw CaptureError(
          .notACamera, "\(configuration.device) (\(info.card)) cannot stream video capture: check the device path")
      }
      if var input = configuration.input {
        do { try device.ioctl(CV4L2_VIDIOC_S_INPUT, "VIDIOC_S_INPUT", &input) } catch {
          throw device.captureError(error, doing: "selecting input \(input)")
        }
      }
      var format = try Self.negotiate(device, configuration, logger)
      format.fps = try Self.setFrameRate(device, configuration.fps)
      Self.applyControls(device, configuration, logger)
      buffers = try Self.mapBuffers(device, count: configuration.bufferCount)
      for buffer in buffers { try Self.queue(device, index: buffer.index) }
      var type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
      do { try device.ioctl(CV4L2_VIDIOC_STREAMON, "VIDIOC_STREAMON", &type) } catch {
        throw device.captureError(error, doing: "starting the stream")
      }
      self.format = format
      self.buffers = buffers
      self.streaming = true
    } catch {
      for buffer in buffers { buffer.unmap() }
      device.close()
      throw error
    }
  }

  deinit {
    assert(device.fd < 0, "V4L2CaptureSession \(device.path) leaked: call close() before dropping it")
  }

  package func nextFrame(timeout: Duration) throws(CaptureError) -> Frame? {
    var pfd = pollfd(fd: device.fd, events: Int16(POLLIN), revents: 0)
    let millis = Int32(
      clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
    let ready = poll(&pfd, 1, millis)
    if ready == 0 { return nil }
    if ready < 0 {
      if errno == EINTR { return nil }
      throw device.captureError(SystemCallError(call: "poll", errno: errno), doing: "waiting for a frame")
    }
    var buffer = v4l2_buffer()
    buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
    buffer.memory = V4L2_MEMORY_MMAP.rawValue
    do { try device.ioctl(CV4L2_VIDIOC_DQBUF, "VIDIOC_DQBUF", &buffer) } catch {
      if error.errno == EAGAIN { return nil }
      // Some drivers fail the queue with EIO when the device goes away (vivid's Disconnect);
      // only the next call says ENODEV. Ask, so an unplug is reported as one.
      var cap = v4l2_capability()
      do throws(SystemCallError) { try device.ioctl(CV4L2_VIDIOC_QUERYCAP, "VIDIOC_QUERYCAP", &cap) } catch {
        if error.errno == ENODEV || error.errno == ENXIO {
          throw device.captureError(error, doing: "dequeuing a frame")
        }
      }
      throw device.captureError(error, doing: "dequeuing a frame")
    }
    let mapped = buffers[Int(buffer.index)]
    let bytes = buffer.flags & UInt32(V4L2_BUF_FLAG_ERROR) != 0 ? nil : mapped.copyBytes(count: Int(buffer.bytesused))
    let timestamp = Double(buffer.timestamp.tv_sec) + Double(buffer.timestamp.tv_usec) / 1e6
    let sequence = buffer.sequence
    try Self.queue(device, index: buffer.index)
    guard let bytes else {
      throw CaptureError(
        .corruptBuffer, "Camera \(device.path) delivered a corrupt frame (driver sequence \(sequence)); it was skipped")
    }
    let monotonic = buffer.flags & UInt32(V4L2_BUF_FLAG_TIMESTAMP_MASK) == UInt32(V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC)
    let time =
      monotonic && timestamp > 0 ? Clocks.utc(fromMonotonic: timestamp) : Clocks.utc(fromMonotonic: Clocks.monotonic())
    return Frame(
      sequence: UInt64(sequence), time: time, pixelFormat: format.pixelFormat, width: format.width,
      height: format.height, bytes: bytes)
  }

  package func close() {
    if streaming {
      var type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
      // After an unplug this fails with ENODEV; the close below still releases everything.
      try? device.ioctl(CV4L2_VIDIOC_STREAMOFF, "VIDIOC_STREAMOFF", &type)
      streaming = false
    }
    for buffer in buffers { buffer.unmap() }
    if !buffers.isEmpty {
      var request = v4l2_requestbuffers()
      request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
      request.memory = V4L2_MEMORY_MMAP.rawValue
      request.count = 0
      try? device.ioctl(CV4L2_VIDIOC_REQBUFS, "VIDIOC_REQBUFS", &request)
      buffers = []
    }
    device.close()
  }

  // MARK: - Steps of opening

  /// Picks the first preferred format the device offers natively, at the offered size nearest
  /// the wanted one, and sets it. A device that answers S_FMT with another pixel format refused it.
  private static func negotiate(
    _ device: V4L2Device, _ configuration: CameraConfiguration, _ logger: Logger
  )
    throws(CaptureError) -> NegotiatedFormat
  {
    let offered: [DeviceDescription.Format]
    do { offered = try device.formats(type: V4L2_BUF_TYPE_VIDEO_CAPTURE) } catch {
      throw device.captureError(error, doing: "listing formats")
    }
    var refusals: [String] = []
    for wanted in configuration.formats {
      guard let match = offered.first(where: { $0.pixelFormat == wanted }) else { continue }
      let size = nearestSize(match.sizes, width: configuration.width, height: configuration.height)
      var fmt = v4l2_format()
      fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
      fmt.fmt.pix.width = size.width
      fmt.fmt.pix.height = size.height
      fmt.fmt.pix.pixelformat = wanted.fourcc
      fmt.fmt.pix.field = V4L2_FIELD_NONE.rawValue
      do { try device.ioctl(CV4L2_VIDIOC_S_FMT, "VIDIOC_S_FMT", &fmt) } catch {
        if error.errno == EINVAL {
          refusals.append("\(wanted) \(size.width)x\(size.height): EINVAL")
          continue
        }
        throw device.captureError(error, doing: "setting format \(wanted)")
      }
      let got = PixelFormat(fourcc: fmt.fmt.pix.pixelformat)
      guard got == wanted else {
        refusals.append("\(wanted) \(size.width)x\(size.height): answered \(got)")
        continue
      }
      logger.debug(
        "camera format set",
        metadata: [
          "camera.device": "\(device.path)", "camera.format": "\(got)",
          "camera.size": "\(fmt.fmt.pix.width)x\(fmt.fmt.pix.height)",
        ])
      return NegotiatedFormat(
        pixelFormat: got, width: Int(fmt.fmt.pix.width), height: Int(fmt.fmt.pix.height), fps: nil)
    }
    // vivid offers some 80 formats: name a few, enough to choose from.
    let names = offered.map(\.pixelFormat.name)
    let offeredNames = names.prefix(8).joined(separator: ",") + (names.count > 8 ? ",… (\(names.count) in all)" : "")
    let wantedNames = configuration.formats.map(\.name).joined(separator: ",")
    throw CaptureError(
      .formatRefused,
      "Camera \(device.path) offers \(offeredNames.isEmpty ? "no formats" : offeredNames) and accepted none of "
        + "\(wantedNames)\(refusals.isEmpty ? "" : " (" + refusals.joined(separator: "; ") + ")"): "
        + "change the profile's formats or the camera")
  }

  /// The offered size nearest the wanted one (by area, then by aspect), or the wanted one for stepwise sizes.
  package static func nearestSize(
    _ sizes: [DeviceDescription.Size], width: Int, height: Int
  ) -> (
    width: UInt32, height: UInt32
  ) {
    if sizes.isEmpty || sizes.contains(where: \.stepwise) { return (UInt32(width), UInt32(height)) }
    let wanted = Double(width * height)
    let best = sizes.min { a, b in
      abs(Double(a.width * a.height) - wanted) < abs(Double(b.width * b.height) - wanted)
    }!
    return (best.width, best.height)
  }

  /// Asks for the frame rate with S_PARM and returns what the driver set; nil when it has no rate control.
  private static func setFrameRate(_ device: V4L2Device, _ fps: Double?) throws(CaptureError) -> Double? {
    var parm = v4l2_streamparm()
    parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
    do throws(SystemCallError) {
      guard try device.ioctlUnlessInvalid(CV4L2_VIDIOC_G_PARM, "VIDIOC_G_PARM", &parm) else { return nil }
      if let fps, fps > 0, parm.parm.capture.capability & UInt32(V4L2_CAP_TIMEPERFRAME) != 0 {
        parm.parm.capture.timeperframe = v4l2_fract(numerator: 1000, denominator: UInt32((fps * 1000).rounded()))
        _ = try device.ioctlUnlessInvalid(CV4L2_VIDIOC_S_PARM, "VIDIOC_S_PARM", &parm)
      }
    } catch  where error.errno == ENODEV || error.errno == ENXIO {
      throw device.captureError(error, doing: "setting the frame rate")
    } catch {
      // Inputs without a frame rate (vivid's HDMI input answers ENODATA) keep the driver's pacing.
      return nil
    }
    let t = parm.parm.capture.timeperframe
    return t.numerator == 0 ? nil : Double(t.denominator) / Double(t.numerator)
  }

  /// Sets manual exposure and gain where the device has those controls; absent ones are logged and skipped.
  private static func applyControls(_ device: V4L2Device, _ configuration: CameraConfiguration, _ logger: Logger) {
    func set(_ id: UInt32, _ value: Int32, _ name: String) {
      do { try device.setControl(id: id, value: value) } catch {
        logger.debug(
          "camera control not set",
          metadata: ["camera.device": "\(device.path)", "camera.control": "\(name)", "error": "\(error)"])
      }
    }
    if let exposure = configuration.exposure {
      set(CV4L2_CID_EXPOSURE_AUTO, Int32(V4L2_EXPOSURE_MANUAL.rawValue), "exposure_auto")
      set(CV4L2_CID_EXPOSURE_ABSOLUTE, exposure, "exposure_absolute")
    }
    if let gain = configuration.gain {
      set(CV4L2_CID_AUTOGAIN, 0, "autogain")
      set(CV4L2_CID_GAIN, gain, "gain")
    }
  }

  /// Requests `count` mmap buffers and maps each one.
  private static func mapBuffers(_ device: V4L2Device, count: UInt32) throws(CaptureError) -> [MappedBuffer] {
    var request = v4l2_requestbuffers()
    request.count = count
    request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
    request.memory = V4L2_MEMORY_MMAP.rawValue
    do { try device.ioctl(CV4L2_VIDIOC_REQBUFS, "VIDIOC_REQBUFS", &request) } catch {
      throw device.captureError(error, doing: "requesting \(count) buffers")
    }
    var mapped: [MappedBuffer] = []
    do throws(CaptureError) {
      for index in 0..<request.count {
        var buffer = v4l2_buffer()
        buffer.index = index
        buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        buffer.memory = V4L2_MEMORY_MMAP.rawValue
        do { try device.ioctl(CV4L2_VIDIOC_QUERYBUF, "VIDIOC_QUERYBUF", &buffer) } catch {
          throw device.captureError(error, doing: "querying buffer \(index)")
        }
        mapped.append(
          try MappedBuffer(device: device, index: index, length: Int(buffer.length), offset: buffer.m.offset))
      }
    } catch {
      for buffer in mapped { buffer.unmap() }
      throw error
    }
    return mapped
  }

  private static func queue(_ device: V4L2Device, index: UInt32) throws(CaptureError) {
    var buffer = v4l2_buffer()
    buffer.index = index
    buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
    buffer.memory = V4L2_MEMORY_MMAP.rawValue
    do { try device.ioctl(CV4L2_VIDIOC_QBUF, "VIDIOC_QBUF", &buffer) } catch {
      throw device.captureError(error, doing: "queueing buffer \(index)")
    }
  }
}
