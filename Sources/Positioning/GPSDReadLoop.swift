// SPDX-License-Identifier: AGPL-3.0-or-later
import CGPS
import ChalklineModel
import Foundation
import Logging

/// A flag the stream's termination sets and the reading thread polls.
final class StopFlag: @unchecked Sendable {
  // @unchecked: every access goes through `lock`.
  private let lock = NSLock()
  private var stopped = false

  func set() { lock.withLock { stopped = true } }
  var isSet: Bool { lock.withLock { stopped } }
}

/// The reading thread of ``GPSDClient``: the blocking libgps loop, epoch merging, state changes and reconnects.
final class GPSDReadLoop: @unchecked Sendable {
  // @unchecked: created on the caller's thread, then used only by the reading thread it is handed to.
  let configuration: GPSDClient.Configuration
  let logger: Logger
  let continuation: AsyncStream<GPSDEvent>.Continuation
  let stop: StopFlag
  var merger = EpochMerger()
  var state: GPSDState?
  var dropped = 0

  init(
    configuration: GPSDClient.Configuration, logger: Logger, continuation: AsyncStream<GPSDEvent>.Continuation,
    stop: StopFlag
  ) {
    self.configuration = configuration
    self.logger = logger
    self.continuation = continuation
    self.stop = stop
  }

  func run() {
    var backoff = Backoff.Retries(
      Backoff(base: .seconds(configuration.initialBackoff), cap: .seconds(configuration.maxBackoff)))
    let data = UnsafeMutablePointer<gps_data_t>.allocate(capacity: 1)
    defer { data.deallocate() }
    while !stop.isSet {
      data.initialize(to: gps_data_t())
      let opened = configuration.host.withCString { host in
        String(configuration.port).withCString { port in gps_open(host, port, data) }
      }
      guard opened == 0 else {
        let reason = String(cString: gps_errstr(errno))
        change(to: .noGPSD, metadata: ["gpsd.error": "\(reason)"])
        sleep(backoff.take().seconds)
        continue
      }
      _ = gps_stream(data, UInt32(WATCH_ENABLE | WATCH_JSON), nil)
      logger.debug("Connected to gpsd", metadata: ["gpsd.address": "\(configuration.host):\(configuration.port)"])
      change(to: .noFix)
      backoff.reset()
      readUntilClosed(data)
      if let last = merger.flush() { deliver(last) }
      merger.reset()
      _ = gps_close(data)
      if !stop.isSet {
        change(to: .noGPSD, metadata: ["gpsd.error": "connection closed"])
        sleep(backoff.next.seconds)
      }
    }
    continuation.finish()
  }

  private func readUntilClosed(_ data: UnsafeMutablePointer<gps_data_t>) {
    var buffer = [CChar](repeating: 0, count: 16_384)
    let quietMicroseconds = Int32(max(0.01, configuration.epochQuietTime) * 1_000_000)
    while !stop.isSet {
      guard gps_waiting(data, quietMicroseconds) else {
        if let fix = merger.flush() { deliver(fix) }
        continue
      }
      buffer[0] = 0
      let status = gps_read(data, &buffer, Int32(buffer.count))
      if status == -1 { return }
      let end = buffer.firstIndex(of: 0) ?? buffer.count
      let line = String(decoding: buffer[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      guard !line.isEmpty else { continue }
      handle(line: line)
    }
  }

  private func handle(line: String) {
    let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
    if configuration.forwardsLines { yield(.line(trimmed)) }
    switch GPSDReport.decode(line: trimmed) {
    case .tpv(let fix?, _)?:
      if let done = merger.add(fix) { deliver(done) }
    case .tpv(nil, _)?:
      // A TPV without time: gpsd has a device but no fix yet.
      if state != .fix2D, state != .fix3D { change(to: .noFix) }
    case .some:
      break
    case nil:
      logger.debug(
        "Skipped a line from gpsd that is not a JSON object", metadata: ["gpsd.bytes": "\(trimmed.utf8.count)"])
    }
  }

  private func deliver(_ fix: Fix) {
    switch fix.mode {
    case .threeD: change(to: .fix3D)
    case .twoD: change(to: .fix2D)
    case .noFix, .unknown: change(to: .noFix)
    }
    yield(.fix(fix))
  }

  private func change(to new: GPSDState, metadata: Logger.Metadata = [:]) {
    guard new != state else { return }
    state = new
    var metadata = metadata
    metadata["gpsd.state"] = "\(new)"
    metadata["gpsd.address"] = "\(configuration.host):\(configuration.port)"
    logger.notice("GPS state changed", metadata: metadata)
    yield(.state(new))
  }

  private func yield(_ event: GPSDEvent) {
    if case .dropped = continuation.yield(event) {
      dropped += 1
      if dropped.isPowerOf2 {
        logger.debug("Consumer is slow; dropped old GPS events", metadata: ["gpsd.dropped": "\(dropped)"])
      }
    }
  }

  /// Sleeps `seconds` in small steps so a stop request is noticed quickly.
  private func sleep(_ seconds: TimeInterval) {
    let deadline = Date().addingTimeInterval(seconds)
    while !stop.isSet, Date() < deadline {
      Thread.sleep(forTimeInterval: min(0.02, max(0, deadline.timeIntervalSinceNow)))
    }
  }
}

extension Int {
  fileprivate var isPowerOf2: Bool { self > 0 && self & (self - 1) == 0 }
}
