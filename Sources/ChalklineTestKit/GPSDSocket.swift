// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// The few socket calls the gpsd test helpers need, on loopback only.
enum GPSDSocket {
  struct Failure: Error, CustomStringConvertible {
    var what: String
    var errno: Int32
    var description: String { "\(what) failed: \(String(cString: strerror(errno)))" }
  }

  /// A listening TCP socket on 127.0.0.1 with a port chosen by the kernel.
  static func listen() throws -> (Int32, Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw Failure(what: "socket", errno: errno) }
    var one: Int32 = 1
    _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var address = loopback(port: 0)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0, Foundation.listen(fd, 8) == 0 else {
      let e = errno
      _ = Foundation.close(fd)
      throw Failure(what: "bind/listen on 127.0.0.1", errno: e)
    }
    return (fd, try localPort(fd))
  }

  /// A port that was free a moment ago (for programs like gpsd that must be told their port).
  ///
  /// Taken from below the kernel's ephemeral range: a port the kernel hands out for `bind(0)` (every feeder's)
  /// could be given to a feeder between this probe and gpsd binding it, and the feeder would then pass for gpsd.
  static func freePort() throws -> Int {
    let ephemeralStart = ephemeralRangeStart()
    let range = max(1_024, ephemeralStart - 12_000)..<ephemeralStart
    for _ in 0..<100 {
      let candidate = Int.random(in: range)
      if let fd = try? bound(port: candidate) {
        _ = Foundation.close(fd)
        return candidate
      }
    }
    throw Failure(what: "finding a free port below \(ephemeralStart)", errno: EADDRINUSE)
  }

  private static func ephemeralRangeStart() -> Int {
    let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
    return text?.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
  }

  private static func bound(port: Int) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { throw Failure(what: "socket", errno: errno) }
    var address = loopback(port: port)
    let rc = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard rc == 0 else {
      let e = errno
      _ = Foundation.close(fd)
      throw Failure(what: "bind", errno: e)
    }
    return fd
  }

  /// Whether something accepts TCP connections on 127.0.0.1:`port`.
  static func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { _ = Foundation.close(fd) }
    var address = loopback(port: port)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }

  static func waitReadable(_ fd: Int32, milliseconds: Int32) -> Bool {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&p, 1, milliseconds) > 0
  }

  /// Sends all of `data`; `false` when the peer is gone. Never raises SIGPIPE.
  static func sendAll(_ fd: Int32, _ data: Data) -> Bool {
    data.withUnsafeBytes { raw in
      var offset = 0
      while offset < raw.count {
        let n = SystemCall.retryingInterrupts {
          send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
        }
        guard n > 0 else { return false }
        offset += n
      }
      return true
    }
  }

  private static func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
    return address
  }

  private static func localPort(_ fd: Int32) throws -> Int {
    var address = sockaddr_in()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let rc = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    guard rc == 0 else { throw Failure(what: "getsockname", errno: errno) }
    return Int(UInt16(bigEndian: address.sin_port))
  }
}

/// A TCP port on 127.0.0.1 that was free a moment ago, for a server the test must name a port
/// to in advance (taken below the ephemeral range, see `GPSDSocket.freePort`).
public func freeLoopbackPort() throws -> Int { try GPSDSocket.freePort() }
