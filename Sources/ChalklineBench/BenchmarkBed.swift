// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import ChalklineTestKit
import Foundation
import Positioning

/// A real gpsd on loopback, fed by an in-process NMEA receiver, for ``PositioningBenchmark``: the test kit's
/// ``GPSDFeeder`` and ``GPSDProcess``, the one gpsd test bed the tests use too.
final class BenchmarkBed: @unchecked Sendable {
  // @unchecked: `gpsd` and `closed` are guarded by `lock`; the feeder and the process are thread-safe.
  private let feeder: GPSDFeeder
  private let lock = NSLock()
  private var gpsd: GPSDProcess?
  private var port = 0
  private var closed = false

  init(chunks: [Data], interval: TimeInterval) throws(PositioningError) {
    do { feeder = try GPSDFeeder(chunks: chunks, interval: interval) } catch {
      throw PositioningError(.testBedFailed, "Cannot start the NMEA receiver: \(error).")
    }
  }

  /// The port gpsd serves clients on (0 before the first ``startGPSD()``).
  var gpsdPort: Int { lock.withLock { port } }

  func release() { feeder.release() }
  var isFinished: Bool { feeder.isFinished }

  /// Starts gpsd (on a new free port the first time, on the same port afterwards) and waits until it listens.
  func startGPSD() throws(PositioningError) {
    do {
      if let gpsd = lock.withLock({ gpsd }) {
        try gpsd.restart()
      } else {
        let started = try GPSDProcess(feedPort: feeder.port)
        lock.withLock {
          gpsd = started
          port = started.port
        }
      }
    } catch {
      throw PositioningError(.testBedFailed, "The benchmark's gpsd: \(error).")
    }
  }

  /// Kills gpsd with SIGKILL and reaps it.
  func killGPSD() { lock.withLock { gpsd }?.kill() }

  func shutdown() {
    killGPSD()
    feeder.close()
    lock.withLock { closed = true }
  }

  /// Whether ``shutdown()`` ran (the benchmark's watchdog uses it to end a run that hangs).
  var isClosed: Bool { lock.withLock { closed } }
}
