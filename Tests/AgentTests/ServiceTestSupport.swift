// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A unix datagram socket standing in for systemd's notify socket: it collects what the agent
/// sends (`READY=1`, `STATUS=…`, `WATCHDOG=1`), reading continuously as systemd does, so the
/// sender never finds it full (a unix datagram socket queues only ten).
final class NotifyReceiver: Sendable {
  let path: String
  private let core: Core

  /// Binds `path` (a filesystem path, or `@name` for the abstract namespace).
  init(path: String) throws {
    self.path = path
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw POSIXError(.EIO) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var bytes = Array(path.utf8)
    if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0 else {
      close(fd)
      throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
    core = Core(fd: fd)
    let core = self.core
    Thread {
      while core.drain() { usleep(5000) }
    }.start()
  }

  deinit { core.stop() }

  /// Every datagram received so far, oldest first.
  var messages: [String] {
    _ = core.drain()
    return core.received
  }

  /// The assignments received, one per line of every datagram.
  var assignments: [String] { messages.flatMap { $0.split(separator: "\n").map(String.init) } }

  /// The socket and what came through it; the draining thread closes the socket when stopped.
  private final class Core: @unchecked Sendable {
    // @unchecked: every field but `fd` is touched only under `lock`; `fd` is closed under it too.
    private let lock = NSLock()
    private var fd: Int32
    private var messages: [String] = []
    private var stopped = false

    init(fd: Int32) { self.fd = fd }

    var received: [String] { lock.withLock { messages } }

    func stop() { lock.withLock { stopped = true } }

    /// Reads what waits; false (and the socket closed) once stopped.
    func drain() -> Bool {
      lock.withLock {
        if stopped {
          if fd >= 0 { close(fd) }
          fd = -1
          return false
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
          let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
          guard count > 0 else { break }
          messages.append(String(decoding: buffer[0..<count], as: UTF8.self))
        }
        return true
      }
    }
  }
}

/// Polls `condition` every 50 ms until it holds or `seconds` pass; returns whether it held.
func eventually(within seconds: Double, _ condition: () throws -> Bool) async rethrows -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if try condition() { return true }
    try? await Task.sleep(for: .milliseconds(50))
  }
  return try condition()
}
