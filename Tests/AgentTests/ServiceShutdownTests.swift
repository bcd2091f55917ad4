// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Dump
import Foundation
import InMemoryLogging
import Logging
import Testing
import Vault

/// A graceful stop in the middle of a patrol: the daemon's stages (one `ServiceGroup`) stop in
/// reverse order, and nothing that came in is lost.
@Suite("A graceful stop", .serialized)
struct ServiceShutdownTests {
  @Test("SIGTERM mid-patrol stops sources, pipeline, status, metrics in that order; every frame fed is read")
  func reverseOrderAndNothingLost() async throws {
    try await withTemporaryDirectory(prefix: "cl-stop") { directory in
      let state = directory.appendingPathComponent("state")
      let text = try replayProfileText(state: state)
        .replacingOccurrences(of: "port: 0 ", with: "port: \(try freeLoopbackPort()) ")
      let profilePath = directory.appendingPathComponent("profile.yaml")
      try text.write(to: profilePath, atomically: true, encoding: .utf8)
      let profile = try DeviceProfile.load(from: profilePath.path)
      #expect(profile.metricsPort > 0)
      let logs = InMemoryLogHandler()
      var logger = Logger(label: "test.stop") { _ in logs }
      logger.logLevel = .debug
      let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
      defer { try? vault.close() }
      var options = AgentDaemon.Options(profilePath: profilePath.path)
      options.replayDump = GeneratedPatrol.directory.path
      options.replayPace = .fast
      options.replayLoop = false
      options.queueCapacity = 8
      options.statusInterval = .milliseconds(100)
      let patrol = GeneratedPatrol.directory
      let daemon = AgentDaemon(
        profile: profile, options: options, vault: vault, notifier: SystemdNotifier(environment: [:]),
        makeReader: { try TruthReader(patrol: patrol) }, logger: logger)
      func status() -> AgentStatus? { try? StatusFile.read(in: vault.stateDirectory) }

      let (signals, send) = AsyncStream.makeStream(of: DaemonSignal.self)
      async let finished = daemon.run(signals: signals)
      // Mid-patrol: the queue full (a fast replay waits for room), tracks open.
      #expect(await eventually(within: 300) { (status()?.counters.frames ?? 0) >= 300 })
      send.yield(.terminate)
      let counters = try await finished

      let stopped = logs.entries.filter { $0.message.description == "daemon stage stopped" }
        .compactMap { $0.metadata["stage"].map { "\($0)" } }
      #expect(stopped == ["sources", "pipeline", "status", "metrics"])
      let final = try #require(status())
      #expect(final.phase == .stopped)
      // Nothing lost: every frame the dump fed was read (a fast replay drops none, the queue
      // was drained), and every candidate decided is in the vault's outbox.
      #expect(counters.frames >= 300)
      #expect(final.queue.droppedFrames == 0)
      #expect(final.queue.depth == 0)
      #expect(counters.frames == final.camera.framesDelivered)
      #expect(final.counters.frames == counters.frames)
      #expect(try vault.pendingCandidateCount() == counters.candidates)
    }
  }
}
