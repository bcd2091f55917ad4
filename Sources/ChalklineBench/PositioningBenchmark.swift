// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import ChalklineTestKit
import Foundation
import Logging
import Positioning

/// Figures for `chalkline bench`: how many fixes a second the client takes through a real gpsd, and how long it
/// needs to get fixes again after gpsd is restarted.
///
/// Starts its own gpsd (`/usr/sbin/gpsd -N -n` on a free loopback port) fed by an in-process receiver that plays
/// synthetic NMEA (RMC + GGA + GSA per epoch): the test kit's gpsd bed (``BenchmarkBed``). Needs the `gpsd`
/// package; takes a few seconds.
public enum PositioningBenchmark {
  /// Runs both measurements. `epochs` receiver epochs are pushed through gpsd as fast as it takes them;
  /// `restarts` times gpsd is killed and started again while a 50 Hz stream runs.
  public static func run(
    epochs: Int = 3_000, restarts: Int = 3, logger: Logger
  ) async throws -> [(metric: String, value: Double, unit: String)] {
    let throughput = try await measureThroughput(epochs: epochs, logger: logger)
    let reconnects = try await measureReconnects(restarts: restarts, logger: logger)
    let sorted = reconnects.sorted()
    return [
      ("gpsd_client_fixes_per_second", throughput.fixesPerSecond, "fixes/s"),
      ("gpsd_client_reports_per_second", throughput.linesPerSecond, "reports/s"),
      ("gpsd_client_fixes_received", Double(throughput.fixes), "fixes"),
      ("gpsd_reconnect_seconds_median", sorted.isEmpty ? .nan : sorted[sorted.count / 2], "s"),
      ("gpsd_reconnect_seconds_max", sorted.last ?? .nan, "s"),
    ]
  }

  static let timeout = PositioningError(
    .testBedFailed, "The gpsd benchmark did not finish within 60 s; is the machine overloaded?")

  static func nmea(epochs: Range<Int>) -> [Data] {
    epochs.map { Data(GPSDNMEA.epoch($0).utf8) }
  }

  private static func measureThroughput(
    epochs: Int, logger: Logger
  ) async throws -> (fixesPerSecond: Double, linesPerSecond: Double, fixes: Int) {
    let bed = try BenchmarkBed(chunks: nmea(epochs: 0..<epochs), interval: 0)
    defer { bed.shutdown() }
    try bed.startGPSD()
    let client = GPSDClient(
      configuration: .init(port: bed.gpsdPort, epochQuietTime: 0.3, bufferSize: 100_000, forwardsLines: true),
      logger: logger)
    var fixes = 0
    var lines = 0
    var first: ContinuousClock.Instant?
    var last = ContinuousClock.now
    let lastFix = LastFix()
    let events = client.events()
    // Ends the run: once the receiver is done and fixes stopped coming (by killing gpsd, which the client reports),
    // or after 60 s whatever happened.
    let watchdog = Task {
      let start = ContinuousClock.now
      while !Task.isCancelled {
        try await Task.sleep(for: .milliseconds(200))
        if bed.isFinished, lastFix.quietFor(.seconds(1)) {
          bed.killGPSD()
          return
        }
        if ContinuousClock.now - start > .seconds(60) {
          bed.shutdown()
          return
        }
      }
    }
    defer { watchdog.cancel() }
    loop: for await event in events {
      if bed.isClosed { throw timeout }
      switch event {
      case .line(let line):
        if line.contains("\"class\":\"WATCH\"") { bed.release() }
        lines += 1
      case .fix(let fix) where fix.mode >= .twoD:
        fixes += 1
        last = .now
        lastFix.mark(last)
        if first == nil { first = last }
      case .state(.noGPSD) where fixes > 1:
        break loop
      default:
        break
      }
      if fixes >= epochs { break }
    }
    guard let first, fixes > 1 else {
      throw PositioningError(.testBedFailed, "No fixes came through gpsd during the benchmark.")
    }
    let seconds = Double((last - first).components.attoseconds) / 1e18 + Double((last - first).components.seconds)
    return (Double(fixes - 1) / seconds, Double(lines) / seconds, fixes)
  }

  private static func measureReconnects(restarts: Int, logger: Logger) async throws -> [Double] {
    let bed = try BenchmarkBed(chunks: nmea(epochs: 0..<(restarts * 150 + 300)), interval: 0.02)
    defer { bed.shutdown() }
    try bed.startGPSD()
    let client = GPSDClient(
      configuration: .init(port: bed.gpsdPort, bufferSize: 10_000, forwardsLines: true), logger: logger)
    var results: [Double] = []
    var fixesSinceRestart = 0
    var restartedAt: ContinuousClock.Instant?
    var lostConnection = false
    let watchdog = Task {
      try await Task.sleep(for: .seconds(60))
      bed.shutdown()
    }
    defer { watchdog.cancel() }
    for await event in client.events() {
      if bed.isClosed { throw timeout }
      switch event {
      case .line(let line) where line.contains("\"class\":\"WATCH\""):
        bed.release()
      case .state(.noGPSD):
        lostConnection = true
      case .fix(let fix) where fix.mode >= .twoD:
        // Fixes still buffered from the killed gpsd do not count: only one after the client saw it go away.
        if let since = restartedAt {
          guard lostConnection else { continue }
          let d = ContinuousClock.now - since
          results.append(Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18)
          restartedAt = nil
          fixesSinceRestart = 0
        }
        fixesSinceRestart += 1
        if fixesSinceRestart == 20 {
          if results.count >= restarts { return results }
          lostConnection = false
          bed.killGPSD()
          try bed.startGPSD()
          // Measured from gpsd listening again to the first fix through the new gpsd.
          restartedAt = .now
        }
      default:
        break
      }
    }
    return results
  }
}

/// When the last fix arrived, shared between the benchmark loop and its watchdog.
final class LastFix: @unchecked Sendable {
  // @unchecked: every access goes through `lock`.
  private let lock = NSLock()
  private var instant = ContinuousClock.now

  func mark(_ now: ContinuousClock.Instant) { lock.withLock { instant = now } }
  func quietFor(_ duration: Duration) -> Bool { lock.withLock { ContinuousClock.now - instant > duration } }
}
