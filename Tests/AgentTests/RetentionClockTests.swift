// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineTestKit
import Dump
import Foundation
import Logging
import Positioning
import Synchronization
import Testing
import Vault

@testable import Agent

/// The clock forgetting runs on (docs/forgetting.md): trusted times as they are, untrusted ones
/// only within bounds of the trusted clock carried forward, and the daemon's tick when the
/// sources fall silent.
@Suite struct RetentionClockTests {
  let start = ContinuousClock.now
  let monday = Date(timeIntervalSince1970: 1_772_470_800)  // 2026-03-02T17:00:00Z

  @Test("an untrusted time counts only after a trusted one, later than all taken, within the tolerance")
  func untrustedTimesAreBounded() {
    var clock = RetentionClock(started: start)
    #expect(clock.consider(monday, at: start) == .noAnchor)
    #expect(clock.trust(monday, at: start) == monday)
    // Thirty seconds on the monotonic clock: thirty seconds later is plausible, so is a little more.
    let thirty = start + .seconds(30)
    #expect(clock.consider(monday.addingTimeInterval(30), at: thirty) == .taken(monday.addingTimeInterval(30)))
    #expect(clock.consider(monday.addingTimeInterval(10), at: thirty) == .notLater)
    #expect(
      clock.consider(monday.addingTimeInterval(30 + RetentionClock.tolerance), at: thirty)
        == .taken(monday.addingTimeInterval(30 + RetentionClock.tolerance)))
    // A receiver's clock gone wrong: far ahead never counts, and 1980 is not later.
    #expect(clock.consider(monday.addingTimeInterval(86_400 * 700), at: thirty) == .tooFarAhead)
    #expect(clock.consider(Date(timeIntervalSince1970: 315_964_800), at: thirty) == .notLater)
  }

  @Test("a trusted time that steps back does not move the anchor back")
  func trustedStepBackKeepsTheAnchor() {
    var clock = RetentionClock(started: start)
    _ = clock.trust(monday, at: start)
    _ = clock.trust(monday.addingTimeInterval(-3600), at: start + .seconds(10))
    #expect(clock.anchor?.time == monday)
    #expect(clock.extrapolated(to: start + .seconds(100)) == monday.addingTimeInterval(100))
  }

  @Test("the tick forgets on the extrapolated clock only once the sources are a minute quiet")
  func tickWaitsForSilence() {
    var clock = RetentionClock(started: start)
    let wall = monday.addingTimeInterval(5)
    // Before any source time: nothing within the first minute, then the wall clock, which anchors.
    #expect(clock.tick(at: start + .seconds(30), wallClock: wall) == nil)
    #expect(clock.tick(at: start + .seconds(61), wallClock: wall) == wall)
    #expect(clock.anchor?.time == wall)
    _ = clock.trust(monday.addingTimeInterval(100), at: start + .seconds(70))
    #expect(clock.tick(at: start + .seconds(100), wallClock: wall) == nil)
    // Two hours of silence: the last trusted time plus two hours of monotonic time.
    let later = start + .seconds(70 + 7200)
    #expect(clock.tick(at: later, wallClock: wall) == monday.addingTimeInterval(100 + 7200))
    // The next tick waits another minute.
    #expect(clock.tick(at: later + .seconds(10), wallClock: wall) == nil)
  }
}

/// The pipeline forgets on that clock: refused fixes close a window that came due, a far-future
/// time does not, and the tick closes one with every source silent.
@Suite("Forgetting on the retention clock", .serialized)
struct PipelineRetentionClockTests {
  let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .critical, journal: false) }

  /// A vault holding Monday's window (after Monday's replay), and a fresh pipeline on it whose
  /// monotonic clock the test moves (`advance`), as after a restart on Monday evening.
  func withMondayWindow(
    _ body: (PatrolPipeline, Vault, _ advance: (Duration) -> Void) throws -> Void
  ) async throws {
    try await withTemporaryDirectory(prefix: "cl-retclock") { directory in
      let profile = try replayProfile(state: directory.appendingPathComponent("state"))
      do {
        let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
        defer { try? vault.close() }
        _ = try await ReplayRunner(
          profile: profile, dump: GeneratedPatrol.directory, pace: .fast,
          reader: try TruthReader(patrol: GeneratedPatrol.directory), logger: logger
        ).run(vault: vault)
      }
      let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
      defer { try? vault.close() }
      #expect(try vault.chalkWindows().count == 1)
      let pipeline = try PatrolPipeline(
        profile: profile, zones: try profile.enforcement.loadRules(), vault: vault,
        reader: try TruthReader(patrol: GeneratedPatrol.directory), logger: logger)
      let clock = Mutex(ContinuousClock.now)
      pipeline.monotonicNow = { clock.withLock { $0 } }
      try body(pipeline, vault) { step in clock.withLock { $0 += step } }
    }
  }

  /// The patrol's last fix, `after` seconds later, in `mode` (no position without a fix).
  func fix(after seconds: TimeInterval, mode: FixMode = .threeD) throws -> Fix {
    var fix = try #require(DumpFeed.fixes(in: GeneratedPatrol.directory, logger: logger).last)
    fix.time = fix.time.addingTimeInterval(seconds)
    fix.mode = mode
    if mode < .twoD { fix.position = nil }
    return fix
  }

  @Test("gpsd without a fix still closes a window that came due, on its time within bounds of the trusted clock")
  func refusedFixesForget() async throws {
    try await withMondayWindow { pipeline, vault, advance in
      // One fix the gate takes, on Monday evening: the window is still needed.
      pipeline.add(try fix(after: 60))
      #expect(pipeline.counters.gpsFixes == 1 && pipeline.counters.chalkWindowsClosed == 0)
      let threeDays: TimeInterval = 3 * 86_400
      // A receiver without a fix that says it is three days later, one second after: not believed.
      advance(.seconds(1))
      pipeline.add(try fix(after: 61 + threeDays, mode: .noFix))
      #expect(pipeline.counters.gpsRefused["no_fix"] == 1)
      #expect(pipeline.counters.retentionTimesRefused == 1)
      #expect(try vault.chalkWindows().count == 1)
      // Three days later on the monotonic clock too, gpsd still without a fix: the window goes.
      advance(.seconds(Int64(threeDays)))
      pipeline.add(try fix(after: 62 + threeDays, mode: .noFix))
      #expect(pipeline.counters.chalkWindowsClosed == 1)
      #expect(try vault.chalkWindows().isEmpty)
      #expect(try vault.liveChalkMarks().isEmpty)
      #expect(pipeline.counters.retentionTimesRefused == 1)
    }
  }

  @Test("after a restart, a window whose marks all went closes once its day is over, not at its latest close")
  func marklessWindowClosesAtDayEnd() async throws {
    try await withTemporaryDirectory(prefix: "cl-retclock") { directory in
      let profile = try replayProfile(state: directory.appendingPathComponent("state"))
      do {
        let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
        defer { vault.closeLoggingFailure() }
        _ = try await ReplayRunner(
          profile: profile, dump: GeneratedPatrol.directory, pace: .fast,
          reader: try TruthReader(patrol: GeneratedPatrol.directory), logger: logger
        ).run(vault: vault)
        // Monday's marks went before the agent stopped (retired, as the ledger retires them), the day still running.
        try vault.deleteChalkMarks(ids: try vault.liveChalkMarks().map(\.id))
      }
      let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
      defer { vault.closeLoggingFailure() }
      let window = try #require(try vault.chalkWindows().first)
      #expect(window.marks == 0)
      let pipeline = try PatrolPipeline(
        profile: profile, zones: try profile.enforcement.loadRules(), vault: vault,
        reader: try TruthReader(patrol: GeneratedPatrol.directory), logger: logger)
      // Tuesday noon: Monday is over, its latest close (Monday's end plus a day) still ahead.
      let tuesday = try fix(after: 19 * 3600)
      #expect(tuesday.time < window.closes)
      pipeline.add(tuesday)
      #expect(pipeline.counters.chalkWindowsClosed == 1)
      #expect(try vault.chalkWindows().isEmpty)
    }
  }

  @Test("with the camera down and gpsd silent, the tick forgets on the wall clock, then on the monotonic one")
  func tickForgetsWithEverySourceSilent() async throws {
    try await withMondayWindow { pipeline, vault, advance in
      let wednesday = try fix(after: 2 * 86_400).time
      // Within the first minute the tick waits for a source.
      pipeline.retentionTick(wallClock: wednesday)
      #expect(pipeline.counters.retentionTicks == 0 && pipeline.counters.chalkWindowsClosed == 0)
      advance(.seconds(61))
      pipeline.retentionTick(wallClock: wednesday)
      #expect(pipeline.counters.retentionTicks == 1)
      #expect(pipeline.counters.chalkWindowsClosed == 1)
      #expect(try vault.chalkWindows().isEmpty)
    }
  }
}
