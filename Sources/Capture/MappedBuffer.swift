// SPDX-License-Identifier: AGPL-3.0-or-later

import CV4L2
import ChalklineModel

#if canImport(Glibc)
  import Glibc
#endif

/// One driver buffer mapped into our memory (V4L2 mmap streaming).
///
/// Unmap it explicitly with `unmap()`; dropping a mapped buffer is a leak and asserts.
package final class MappedBuffer {
  /// The buffer's index in the driver's queue.
  package let index: UInt32
  /// The mapped length in bytes.
  package let length: Int
  private var start: UnsafeMutableRawPointer?

  /// Maps buffer `index` of `device` after VIDIOC_QUERYBUF described it.
  package init(device: V4L2Device, index: UInt32, length: Int, offset: UInt32) throws(CaptureError) {
    let pointer = CV4L2_mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, device.fd, Int64(offset))
    if pointer == nil || CV4L2_is_map_failed(pointer) != 0 {
      throw device.captureError(SystemCallError(call: "mmap buffer \(index)", errno: errno), doing: "mapping buffers")
    }
    self.index = index
    self.length = length
    self.start = pointer
  }

  deinit {
    assert(start == nil, "MappedBuffer \(index) leaked: call unmap() before dropping it")
  }

  /// Copies the first `count` bytes out of the buffer.
  package func copyBytes(count: Int) -> [UInt8] {
    guard let start else { return [] }
    let n = min(max(count, 0), length)
    return Array(UnsafeRawBufferPointer(start: start, count: n))
  }

  /// Writes `bytes` at the start of the buffer (for output devices).
  package func fill(with bytes: [UInt8]) {
    guard let start else { return }
    bytes.withUnsafeBytes { source in
      start.copyMemory(from: source.baseAddress!, byteCount: min(source.count, length))
    }
  }

  /// Unmaps the buffer. Safe to call twice.
  package func unmap() {
    guard let pointer = start else { return }
    _ = CV4L2_munmap(pointer, length)
    start = nil
  }
}
