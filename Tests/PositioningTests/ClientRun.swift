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
final class RunBox: Sendable {
  private let box = LockedBox((run: ClientRun(), last: Date()))

  func record(_ event: GPSDEvent) {
    box.mutate { state in
      switch event {
      case .fix(let fix): state.run.fixes.append(fix)
      case .state(let gpsdState): state.run.states.append(gpsdState)
      case .line(let line): state.run.lines.append(line)
      }
      state.last = Date()
    }
  }

  var snapshot: ClientRun { box.value.run }
  var lastEvent: Date { box.value.last }
}
