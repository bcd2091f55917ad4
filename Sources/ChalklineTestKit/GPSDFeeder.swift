// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// A TCP server on 127.0.0.1 that plays bytes to whoever connects: a GPS receiver for `gpsd tcp://...`, or a
/// scripted "gpsd" for a client under test.
///
/// The bytes are a list of chunks sent one every ``interval`` seconds once ``release()`` was called. The position
/// in the list survives reconnects: when gpsd is restarted, the new gpsd gets the rest of the stream. When all
/// chunks are sent the connection stays open (a receiver that went quiet), until ``close()``.
public final class GPSDFeeder: @unchecked Sendable {
  // @unchecked: mutable state is guarded by `lock`; the file descriptors are owned by the feeder's threads.
  /// The port the feeder listens on.
  public let port: Int
  private let chunks: [Data]
  private let interval: TimeInterval
  private let listener: Int32
  private let lock = NSLock()
  private var next = 0
  private var released = false
  private var closed = false
  private var connections = 0

  /// Starts listening; sends nothing before ``release()``.
  public init(chunks: [Data], interval: TimeInterval) throws {
    self.chunks = chunks
    self.interval = interval
    (listener, port) = try GPSDSocket.listen()
    let thread = Thread { [self] in acceptLoop() }
    thread.name = "gpsd-feeder"
    thread.start()
  }

  /// A feeder for a receiver log from gpsd's regression suite: the `#` header is dropped, the rest (NMEA text or
  /// vendor binary) is cut into `chunkSize`-byte chunks.
  public convenience init(log url: URL, chunkSize: Int = 256, interval: TimeInterval = 0.002) throws {
    var data = try Data(contentsOf: url)
    while data.first == UInt8(ascii: "#"), let end = data.firstIndex(of: UInt8(ascii: "\n")) {
      data = data.subdata(in: (end + 1)..<data.endIndex)
    }
    var chunks: [Data] = []
    var start = data.startIndex
    while start < data.endIndex {
      let end = min(start + chunkSize, data.endIndex)
      chunks.append(data.subdata(in: start..<end))
      start = end
    }
    try self.init(chunks: chunks, interval: interval)
  }

  /// Lets the feeder send (to the current and every later connection).
  public func release() { lock.withLock { released = true } }

  /// How many chunks have been sent.
  public var chunksSent: Int { lock.withLock { next } }
  /// Whether every chunk has been sent.
  public var isFinished: Bool { lock.withLock { next >= chunks.count } }
  /// How many connections were accepted.
  public var connectionCount: Int { lock.withLock { connections } }

  /// Stops listening and closes every connection.
  public func close() {
    lock.withLock { closed = true }
  }

  private var isClosed: Bool { lock.withLock { closed } }

  private func acceptLoop() {
    defer { _ = Foundation.close(listener) }
    while !isClosed {
      guard GPSDSocket.waitReadable(listener, milliseconds: 50) else { continue }
      let fd = accept(listener, nil, nil)
      guard fd >= 0 else { continue }
      lock.withLock { connections += 1 }
      let thread = Thread { [self] in serve(fd) }
      thread.name = "gpsd-feeder-connection"
      thread.start()
    }
  }

  private func serve(_ fd: Int32) {
    defer { _ = Foundation.close(fd) }
    var scratch = [UInt8](repeating: 0, count: 4_096)
    while !isClosed {
      // Drain what the other side writes (gpsd probes, a client's ?WATCH), and notice when it hangs up.
      if GPSDSocket.waitReadable(fd, milliseconds: 0) {
        let n = recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT))
        if n == 0 { return }
      }
      let chunk: Data? = lock.withLock { released && next < chunks.count ? chunks[next] : nil }
      guard let chunk else {
        Thread.sleep(forTimeInterval: 0.01)
        continue
      }
      guard GPSDSocket.sendAll(fd, chunk) else { return }
      lock.withLock { next += 1 }
      if interval > 0 { Thread.sleep(forTimeInterval: interval) }
    }
  }
}
