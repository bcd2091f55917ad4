// SPDX-License-Identifier: AGPL-3.0-or-later

import CV4L2
import ChalklineModel

#if canImport(Glibc)
  import Glibc
#endif

/// An open V4L2 device node (through libv4l2).
///
/// Ownership is explicit: call `close()`; dropping an open device is a leak and asserts.
/// Not thread-safe: one thread opens, uses and closes it.
package final class V4L2Device {
  /// The node's path, e.g. `/dev/video0`.
  package let path: String
  /// The file descriptor, or -1 once closed.
  package private(set) var fd: Int32

  private init(path: String, fd: Int32) {
    self.path = path
    self.fd = fd
  }

  deinit {
    assert(fd < 0, "V4L2Device \(path) leaked: call close() before dropping it")
  }

  /// Opens a device node for non-blocking streaming I/O.
  package static func open(_ path: String) throws(CaptureError) -> V4L2Device {
    let fd = CV4L2_open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)
    guard fd >= 0 else {
      let error = SystemCallError(call: "open \(path)", errno: errno)
      switch error.errno {
      case ENOENT:
        throw CaptureError(
          .deviceMissing, "Camera \(path) does not exist: check that it is plugged in and the profile's device path",
          cause: error)
      case ENODEV, ENXIO:
        throw CaptureError(.deviceUnplugged, "Camera \(path) is disconnected: check its cable", cause: error)
      case ENOTTY, EINVAL:
        // libv4l2 asks VIDIOC_QUERYCAP while opening: a node that does not answer is no camera.
        throw CaptureError(.notACamera, "\(path) is not a V4L2 device: check the device path", cause: error)
      case EBUSY:
        throw CaptureError(.deviceBusy, "Camera \(path) is in use by another program: stop it", cause: error)
      default:
        throw CaptureError(.systemCall, "Cannot open camera \(path): check permissions (group video)", cause: error)
      }
    }
    return V4L2Device(path: path, fd: fd)
  }

  /// Issues an ioctl on `argument`; EINTR is retried by the shim.
  package func ioctl<T>(_ request: UInt, _ name: String, _ argument: inout T) throws(SystemCallError) {
    precondition(fd >= 0, "ioctl \(name) on closed device \(path)")
    let result = withUnsafeMutablePointer(to: &argument) { CV4L2_ioctl(fd, request, $0) }
    if result == -1 { throw SystemCallError(call: name, errno: errno) }
  }

  /// Like `ioctl`, but returns false instead of throwing when the driver answers EINVAL
  /// (the end of an enumeration, or an unsupported request).
  package func ioctlUnlessInvalid<T>(
    _ request: UInt, _ name: String, _ argument: inout T
  ) throws(SystemCallError)
    -> Bool
  {
    do {
      try ioctl(request, name, &argument)
      return true
    } catch  where error.errno == EINVAL || error.errno == ENOTTY {
      return false
    }
  }

  /// Turns a failed ioctl into a capture error naming the device; ENODEV means unplugged.
  package func captureError(_ error: SystemCallError, doing what: String) -> CaptureError {
    if error.errno == ENODEV || error.errno == ENXIO {
      return CaptureError(.deviceUnplugged, "Camera \(path) was unplugged while \(what): check its cable", cause: error)
    }
    return CaptureError(.systemCall, "Camera \(path) failed while \(what)", cause: error)
  }

  /// Closes the descriptor. Safe to call twice.
  package func close() {
    guard fd >= 0 else { return }
    _ = CV4L2_close(fd)
    fd = -1
  }
}

/// Turns a fixed-size C `char[]` (imported as a tuple) into a String.
package func stringFromCTuple<T>(_ tuple: T) -> String {
  withUnsafeBytes(of: tuple) { raw in
    let bytes = raw.prefix { $0 != 0 }
    return String(decoding: bytes, as: UTF8.self)
  }
}
