// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Foundation
import Logging
import Testing

@testable import Positioning

/// What a client saw during one test run.
struct ClientRun: Sendable {
  var fixes: [Fix] = []
  var states: [GPSDState] = []
  /// gpsd's JSON lines, as received.
  var lines: [String] = []

  /// Connects a client to gpsd on `port`, releases `feeder` once gpsd acknowledged the watch, and collects events
  /// until the feeder is done and the client has been quiet for `quiet` seconds (or `deadline` passed).
  static func collect(
    port: Int, feeder: GPSDFeeder, quiet: TimeInterval = 1.0, deadline: TimeInterval = 40,
    configuration: GPSDClient.Configuration? = nil,
    during: (@Sendable (ClientRun) async throws -> Void)? = nil
  ) async throws -> ClientRun {
    var config = configuration ?? GPSDClient.Configuration(port: port)
    config.forwardsLines = true
    let client = GPSDClient(configuration: config, logger: Logger(label: "test.gpsd"))
    let box = RunBox()
    let reader = Task {
      for await event in client.events() {
        box.record(event)
        if case .line(let line) = event, line.contains("\"class\":\"WATCH\"") { feeder.release() }
      }
    }
    defer { reader.cancel() }
    let end = Date().addingTimeInterval(deadline)
    while Date() < end {
      try await Task.sleep(for: .milliseconds(50))
      if let during { try await during(box.snapshot) }
      if feeder.isFinished, Date().timeIntervalSince(box.lastEvent) > quiet { break }
    }
    return box.snapshot
  }
}

/// Events collected by the reading task, read by the test.
final class RunBox: @unchecked Sendable {
  // @unchecked: every access goes through `lock`.
  private let lock = NSLock()
  private var run = ClientRun()
  private var last = Date()

  func record(_ event: GPSDEvent) {
    lock.withLock {
      switch event {
      case .fix(let fix): run.fixes.append(fix)
      case .state(let state): run.states.append(state)
      case .line(let line): run.lines.append(line)
      }
      last = Date()
    }
  }

  var snapshot: ClientRun { lock.withLock { run } }
  var lastEvent: Date { lock.withLock { last } }
}
