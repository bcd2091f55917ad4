// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Logging
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Reads gpsd's raw JSON stream over TCP, one report a line, for recording into a dump
/// (`?WATCH={"enable":true,"json":true};`, what `gpspipe -w` prints). It does not parse the
/// reports: that is the Positioning module's job.
public final class GPSDLineClient: Sendable {
  /// gpsd's host.
  public let host: String
  /// gpsd's port.
  public let port: UInt16
  private let logger: Logger
  private let stopFlag = Mutex(false)

  /// Creates a client for gpsd at `host:port`. Nothing connects until `lines()` is iterated.
  public init(host: String, port: UInt16, logger: Logger) {
    self.host = host
    self.port = port
    self.logger = logger
  }

  /// Connects, asks for JSON reports and yields each line as received. The stream ends with a
  /// thrown `gpsdUnavailable` error when gpsd cannot be reached or closes the connection, and
  /// without error after `stop()`.
  public func lines() -> AsyncThrowingStream<String, any Error> {
    let (stream, continuation) = AsyncThrowingStream.makeStream(
      of: String.self, throwing: (any Error).self, bufferingPolicy: .bufferingNewest(4096))
    stopFlag.withLock { $0 = false }
    continuation.onTermination = { [weak self] _ in self?.stop() }
    BlockingThread.start { [self] in
      do throws(CaptureError) {
        try run(continuation)
        continuation.finish()
      } catch {
        continuation.finish(throwing: error)
      }
    }
    return stream
  }

  /// Stops reading; the stream ends.
  public func stop() { stopFlag.withLock { $0 = true } }

  private var stopped: Bool { stopFlag.withLock { $0 } }

  private func run(_ continuation: AsyncThrowingStream<String, any Error>.Continuation) throws(CaptureError) {
    let fd = try connect()
    defer { close(fd) }
    let watch = Array("?WATCH={\"enable\":true,\"json\":true};\n".utf8)
    do { try FileIO.writeAll(fd, watch, "gpsd \(host):\(port)") } catch {
      throw CaptureError(.gpsdUnavailable, "Cannot send WATCH to gpsd at \(host):\(port)", cause: error)
    }
    var pending: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 8192)
    while !stopped {
      var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let ready = poll(&pfd, 1, 200)
      if ready == 0 || (ready < 0 && errno == EINTR) { continue }
      let n = SystemCall.retryingInterrupts { chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) } }
      if n <= 0 {
        throw CaptureError(
          .gpsdUnavailable, "gpsd at \(host):\(port) closed the connection: check that gpsd is running",
          cause: n < 0 ? SystemCallError(call: "recv", errno: errno) : nil)
      }
      pending.append(contentsOf: chunk[0..<n])
      while let newline = pending.firstIndex(of: 0x0A) {
        var line = pending[..<newline]
        if line.last == 0x0D { line = line.dropLast() }
        if !line.isEmpty { continuation.yield(String(decoding: line, as: UTF8.self)) }
        pending.removeSubrange(...newline)
      }
    }
  }

  private func connect() throws(CaptureError) -> Int32 {
    var hints = addrinfo()
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let first = list else {
      throw CaptureError(
        .gpsdUnavailable, "Cannot resolve gpsd host \(host): \(String(cString: gai_strerror(status))); check --gpsd")
    }
    defer { freeaddrinfo(list) }
    var lastErrno: Int32 = 0
    var node: UnsafeMutablePointer<addrinfo>? = first
    while let info = node {
      let fd = socket(
        info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue), info.pointee.ai_protocol)
      if fd >= 0 {
        if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
        lastErrno = errno
        close(fd)
      } else {
        lastErrno = errno
      }
      node = info.pointee.ai_next
    }
    throw CaptureError(
      .gpsdUnavailable, "Cannot connect to gpsd at \(host):\(port): check that gpsd is running and listening there",
      cause: SystemCallError(call: "connect", errno: lastErrno))
  }
}
