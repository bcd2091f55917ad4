// SPDX-License-Identifier: AGPL-3.0-or-later

import CV4L2
import Capture
import ChalklineModel
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Streams one frame of ours, over and over, into a V4L2 output node (vivid's HDMI output),
/// so that vivid's loopback hands it back on the capture node. Runs on a thread of its own.
final class OutputStreamer: Sendable {
  private let path: String
  private let output: UInt32
  private let frame: [UInt8]
  private let width: UInt32
  private let height: UInt32
  private let state = Mutex(State())

  private struct State {
    var stop = false
    var running = false
    var queued = 0
    var error: String?
  }

  init(path: String, output: UInt32, frame: [UInt8], width: UInt32, height: UInt32) {
    self.path = path
    self.output = output
    self.frame = frame
    self.width = width
    self.height = height
  }

  /// Buffers queued so far, and the error that ended streaming, if any.
  var progress: (queued: Int, error: String?) { state.withLock { ($0.queued, $0.error) } }

  func start() {
    state.withLock { $0.running = true }
    BlockingThread.start { [self] in
      do throws(CaptureError) { try run() } catch { state.withLock { $0.error = "\(error)" } }
      state.withLock { $0.running = false }
    }
  }

  func stop() {
    state.withLock { $0.stop = true }
    while state.withLock({ $0.running }) { usleep(10_000) }
  }

  private func run() throws(CaptureError) {
    let device = try V4L2Device.open(path)
    var buffers: [MappedBuffer] = []
    defer {
      var type = V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue
      try? device.ioctl(CV4L2_VIDIOC_STREAMOFF, "VIDIOC_STREAMOFF", &type)
      for buffer in buffers { buffer.unmap() }
      device.close()
    }
    func check(_ what: String, _ body: () throws(SystemCallError) -> Void) throws(CaptureError) {
      do { try body() } catch { throw device.captureError(error, doing: what) }
    }
    var index = output
    try check("selecting output \(output)") { () throws(SystemCallError) in
      try device.ioctl(CV4L2_VIDIOC_S_OUTPUT, "VIDIOC_S_OUTPUT", &index)
    }
    var fmt = v4l2_format()
    fmt.type = V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue
    fmt.fmt.pix.width = width
    fmt.fmt.pix.height = height
    fmt.fmt.pix.pixelformat = CV4L2_PIX_FMT_YUYV
    fmt.fmt.pix.field = V4L2_FIELD_NONE.rawValue
    try check("setting the output format") { () throws(SystemCallError) in
      try device.ioctl(CV4L2_VIDIOC_S_FMT, "VIDIOC_S_FMT", &fmt)
    }
    var request = v4l2_requestbuffers()
    request.count = 4
    request.type = V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue
    request.memory = V4L2_MEMORY_MMAP.rawValue
    try check("requesting output buffers") { () throws(SystemCallError) in
      try device.ioctl(CV4L2_VIDIOC_REQBUFS, "VIDIOC_REQBUFS", &request)
    }
    for i in 0..<request.count {
      var buffer = v4l2_buffer()
      buffer.index = i
      buffer.type = V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue
      buffer.memory = V4L2_MEMORY_MMAP.rawValue
      try check("querying output buffer") { () throws(SystemCallError) in
        try device.ioctl(CV4L2_VIDIOC_QUERYBUF, "VIDIOC_QUERYBUF", &buffer)
      }
      let mapped = try MappedBuffer(device: device, index: i, length: Int(buffer.length), offset: buffer.m.offset)
      buffers.append(mapped)
      mapped.fill(with: frame)
      try queue(device, i)
    }
    var type = V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue
    try check("starting output") { () throws(SystemCallError) in
      try device.ioctl(CV4L2_VIDIOC_STREAMON, "VIDIOC_STREAMON", &type)
    }
    while !state.withLock({ $0.stop }) {
      var pfd = pollfd(fd: device.fd, events: Int16(POLLOUT), revents: 0)
      if poll(&pfd, 1, 100) <= 0 { continue }
      var buffer = v4l2_buffer()
      buffer.type = V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue
      buffer.memory = V4L2_MEMORY_MMAP.rawValue
      do { try device.ioctl(CV4L2_VIDIOC_DQBUF, "VIDIOC_DQBUF", &buffer) } catch {
        if error.errno == EAGAIN { continue }
        throw device.captureError(error, doing: "dequeuing an output buffer")
      }
      try queue(device, buffer.index)
    }
  }

  private func queue(_ device: V4L2Device, _ index: UInt32) throws(CaptureError) {
    var buffer = v4l2_buffer()
    buffer.index = index
    buffer.type = V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue
    buffer.memory = V4L2_MEMORY_MMAP.rawValue
    buffer.bytesused = UInt32(frame.count)
    buffer.field = V4L2_FIELD_NONE.rawValue
    do { try device.ioctl(CV4L2_VIDIOC_QBUF, "VIDIOC_QBUF", &buffer) } catch {
      throw device.captureError(error, doing: "queueing an output buffer")
    }
    state.withLock { $0.queued += 1 }
  }
}

/// A deterministic YUYV test frame with structure in every byte (ramps and a checkerboard),
/// kept inside video range (Y 16–235, Cb/Cr 16–240) so no stage has a reason to clip it.
func testPatternYUYV(width: Int, height: Int) -> [UInt8] {
  var bytes = [UInt8](repeating: 0, count: width * height * 2)
  for y in 0..<height {
    for x in 0..<width {
      let i = (y * width + x) * 2
      let checker = ((x / 16) + (y / 16)) % 2 == 0 ? 40 : 0
      bytes[i] = UInt8(16 + (x + 3 * y + checker) % 220)
      let chroma = x % 2 == 0 ? (x / 2 + 2 * y) % 225 : (3 * x + y / 2) % 225
      bytes[i + 1] = UInt8(16 + chroma)
    }
  }
  return bytes
}
