// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation
import Testing

@testable import Capture

#if canImport(Glibc)
  import Glibc
#endif

/// A one-client TCP server on 127.0.0.1 that plays gpsd's part for the line client: it reads the
/// WATCH command, answers with `lines` (split across writes the way TCP may split them) and closes.
final class FakeGPSDServer: Sendable {
  let port: UInt16
  private let fd: Int32

  init() throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    self.fd = fd
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
    }
    guard bound == 0, listen(fd, 1) == 0 else { throw SystemCallError(call: "bind/listen", errno: errno) }
    _ = withUnsafeMutablePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }
    port = UInt16(bigEndian: address.sin_port)
  }

  /// Serves one client on a thread; returns what the client sent first.
  func serve(_ lines: [String]) async -> String {
    await withCheckedContinuation { continuation in
      let fd = self.fd
      BlockingThread.start {
        let client = accept(fd, nil, nil)
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = recv(client, &buffer, buffer.count, 0)
        let command = String(decoding: buffer[0..<max(0, n)], as: UTF8.self)
        let text = Array(lines.map { $0 + "\r\n" }.joined().utf8)
        let middle = text.count / 2
        _ = text[0..<middle].withUnsafeBytes { send(client, $0.baseAddress, $0.count, 0) }
        usleep(20_000)
        _ = text[middle...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, 0) }
        close(client)
        close(fd)
        continuation.resume(returning: command)
      }
    }
  }
}

@Suite struct GPSDLineClientTests {
  @Test func linesArriveExactlyAsSentAndAClosedConnectionIsAnError() async throws {
    let server = try FakeGPSDServer()
    let lines = [
      #"{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}"#,
      #"{"class":"TPV","device":"/dev/ttyUSB0","mode":3,"time":"2026-03-02T09:00:00.000Z","lat":52.37,"lon":4.89}"#,
      #"{"class":"SKY","device":"/dev/ttyUSB0","satellites":[{"PRN":4,"used":true}]}"#,
    ]
    async let command = server.serve(lines)
    let client = GPSDLineClient(host: "127.0.0.1", port: server.port, logger: LogRecorder().logger())
    var received: [String] = []
    var ending: (any Error)?
    do {
      for try await line in client.lines() { received.append(line) }
    } catch {
      ending = error
    }
    #expect(received == lines)
    #expect((ending as? CaptureError)?.code == .gpsdUnavailable)
    #expect(await command == "?WATCH={\"enable\":true,\"json\":true};\n")
  }

  @Test func noGPSDIsReportedWithTheAddress() async {
    // Port 9 (discard) on loopback: nothing listens there on a test machine.
    let client = GPSDLineClient(host: "127.0.0.1", port: 9, logger: LogRecorder().logger())
    var ending: CaptureError?
    do {
      for try await _ in client.lines() {}
    } catch {
      ending = error as? CaptureError
    }
    #expect(ending?.code == .gpsdUnavailable)
    #expect(ending?.message.contains("127.0.0.1:9") == true)
  }
}
