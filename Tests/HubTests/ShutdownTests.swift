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

  @Test func theHubStopsWhileIdleConnectionsWait() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      for _ in 0..<5 {
        let descriptors = try await hub.serve(logger: testLogger) { port in
          (0..<20).map { _ in Self.idleConnection(to: port) }
        }
        for fd in descriptors { close(fd) }
      }
    }
  }
}
