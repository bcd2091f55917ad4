// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Foundation
import Hub
import HubDevTools
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Stopping the hub while clients hold connections it accepted but has not served yet (a
/// browser's speculative connections, a vehicle connecting as the hub stops): the process must
/// not trap, and the hub must stop.
@Suite struct ShutdownTests {
  /// Opens a TCP connection to 127.0.0.1:`port` and sends nothing; returns the descriptor.
  static func idleConnection(to port: Int) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
      }
    }
    return fd
  }

  /// What the peer of `fd` did: "closed" (end of stream or reset), "open" (still nothing after
  /// `seconds`, a bound only) or "not connected" (the connection was refused).
  static func peerState(_ fd: Int32, seconds: Int = 20) -> String {
    guard fd >= 0 else { return "not connected" }
    var timeout = timeval(tv_sec: seconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var byte: UInt8 = 0
    let count = recv(fd, &byte, 1, 0)
    if count == 0 || (count < 0 && errno == ECONNRESET) { return "closed" }
    if count < 0 && errno == ENOTCONN { return "not connected" }
    return count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? "open" : "sent \(count) bytes"
  }

  @Test func theHubStopsWhileIdleConnectionsWait() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      for _ in 0..<5 {
        let (port, descriptors) = try await hub.serve(logger: testLogger) { port in
          (port, (0..<20).map { _ in Self.idleConnection(to: port) })
        }
        // The hub stopped: it closed every connection it had accepted, and listens no more.
        #expect(descriptors.map { Self.peerState($0) } == Array(repeating: "closed", count: 20))
        for fd in descriptors { close(fd) }
        let late = Self.idleConnection(to: port)
        #expect(Self.peerState(late, seconds: 1) == "not connected", "something still accepts on the hub's port")
        close(late)
      }
    }
  }
}
