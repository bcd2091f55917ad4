// SPDX-License-Identifier: AGPL-3.0-or-later
import Agent
import ArgumentParser
import ChalklineModel
import Foundation
import Logging
import Positioning

/// `chalkline gps`: prints the fixes that pass the quality gate, for a technician checking an installation.
struct GPSCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gps",
    abstract: "Print usable GPS fixes from gpsd, after the quality gate.",
    discussion: """
      Connects to gpsd, merges each receiver epoch into one fix and prints the fixes a sighting could be chalked \
      with (2D or 3D, error estimate and age within the limits). State changes (no gpsd, no fix, 2D, 3D) and \
      refused fixes go to standard error, so a technician sees why nothing is printed.
      """
  )

  @Option(help: "gpsd's host name or address.")
  var host = "127.0.0.1"

  @Option(help: "gpsd's TCP port.")
  var port = 2947

  @Option(help: "Stop after this many usable fixes (default: run until interrupted).")
  var count: Int?

  @Option(help: "Give up after this long (90s, 5m) and say why no usable fix came, e.g. 30s.")
  var timeout: String?

  @Option(help: "Largest acceptable horizontal error estimate (95 % radius, metres).")
  var maxEph: Double = FixQuality().maxEph

  @Option(help: "Largest acceptable fix age, seconds, against GPS-disciplined system time.")
  var maxAge: Double = FixQuality().maxAge

  @Flag(help: "Print one gpsd TPV JSON object a line (the gps.jsonl form) instead of text.")
  var json = false

  func validate() throws {
    guard (1...65_535).contains(port) else { throw ValidationError("--port must be 1...65535, not \(port).") }
    if let count, count < 1 { throw ValidationError("--count must be at least 1, not \(count).") }
    guard maxEph > 0 else { throw ValidationError("--max-eph must be positive metres, not \(maxEph).") }
    guard maxAge > 0 else { throw ValidationError("--max-age must be positive seconds, not \(maxAge).") }
    if let timeout, (DurationText.parse(timeout) ?? 0) <= 0 {
      throw ValidationError("--timeout must be a positive duration such as 30s or 2m, not \(timeout).")
    }
  }

  func run() async throws {
    let limit = timeout.flatMap(DurationText.parse)
    let (tally, timedOut) = await withTaskGroup(of: GPSTally?.self) { group in
      group.addTask { await self.watch() }
      if let limit {
        group.addTask {
          try? await Task.sleep(for: .seconds(limit))
          return nil
        }
      }
      let first = await group.next() ?? nil
      group.cancelAll()
      if let first { return (first, false) }
      // The timer ended first: the watcher returns what it saw once cancelled.
      var seen = GPSTally()
      while let next = await group.next() { if let next { seen = next } }
      return (seen, true)
    }
    guard timedOut, let limit else { return }
    let verdict = tally.verdict(after: limit, wanted: count ?? 1, maxEph: maxEph)
    FileHandle.standardError.write(Data("gps: \(verdict)\n".utf8))
    if tally.usable < (count ?? 1) { throw ExitCode(1) }
  }

  /// Reads gpsd until `count` usable fixes were printed, or until cancelled; returns what it saw.
  private func watch() async -> GPSTally {
    var logger = Logger(label: "chalkline.gps")
    // State changes are printed below in words; the logger only adds warnings and errors.
    logger.logLevel = .warning
    let client = GPSDClient(configuration: .init(host: host, port: port), logger: logger)
    let quality = FixQuality(maxEph: maxEph, maxAge: maxAge)
    let clockCheck = FixClockCheck()
    var clock = GPSClock(logger: logger)
    var tally = GPSTally()
    for await event in client.events() {
      switch event {
      case .state(let state):
        tally.state = state
        FileHandle.standardError.write(Data("gps: \(describe(state))\n".utf8))
      case .fix(let fix):
        // A date that cannot be right is refused first: GPS-disciplined time is learned only from fixes whose
        // date is plausible against the system clock and the release date, and whose precision passes.
        var verdict = quality.verdictIgnoringAge(for: fix)
        if verdict.isUsable, let problem = clockCheck.problem(with: fix, systemTime: Date()) {
          verdict = .implausibleTime(problem)
        }
        if verdict.isUsable {
          clock.observe(gpsTime: fix.time)
          verdict = quality.verdict(for: fix, at: clock.stamp().time)
        }
        tally.record(verdict)
        guard verdict.isUsable else {
          FileHandle.standardError.write(Data("gps: refused fix at \(UTCTime.format(fix.time)): \(verdict)\n".utf8))
          continue
        }
        print(json ? fix.tpvLine : describe(fix))
        if let count, tally.usable >= count { return tally }
      case .line:
        break
      }
    }
    return tally
  }

  private func describe(_ state: GPSDState) -> String {
    switch state {
    case .noGPSD: "gpsd not reachable at \(host):\(port); retrying (is gpsd running? check --host/--port)"
    case .noFix: "gpsd connected, no fix yet (receiver attached? clear sky?)"
    case .fix2D: "2D fix"
    case .fix3D: "3D fix"
    }
  }

  private func describe(_ fix: Fix) -> String {
    func f(_ value: Double?, _ format: String) -> String { value.map { String(format: format, $0) } ?? "-" }
    return [
      UTCTime.format(fix.time), "\(fix.mode)", f(fix.latitude, "%.7f"), f(fix.longitude, "%.7f"),
      "eph=\(f(fix.horizontalError, "%.1f"))m", "alt=\(f(fix.altitude, "%.1f"))m", "speed=\(f(fix.speed, "%.2f"))m/s",
      "track=\(f(fix.track, "%.1f"))",
    ].joined(separator: " ")
  }
}
