// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Dump
import Foundation
import Logging
import Testing
import Vault

/// The agent daemon (the `--replay-dump` path, the generated patrol looping, the ground-truth
/// reader) with its state directory on a real file system of a fixed size, which the test fills
/// and frees while it runs: new chalk marks are refused first, no candidate or evidence is lost,
/// the status file, `chalkline status` and the metrics say so, and the agent recovers by itself
/// once space returns.
@Suite(
  "The agent on a disk that fills", .serialized,
  .enabled(if: SizedFileSystem.available, "needs to mount a tmpfs (root or CAP_SYS_ADMIN)"))
struct DiskFullDaemonTests {
  /// A metric's value in the Prometheus exposition, nil when absent.
  static func metric(_ name: String, in exposition: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(name + " ") {
      return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
    }
    return nil
  }

  /// The daemon (the `--replay-dump` path, the generated patrol looping, the ground-truth reader)
  /// with its state directory on a 96 MiB file system that `body` fills and frees.
  struct Patrolling {
    let disk: SizedFileSystem
    let state: URL
    let vault: Vault
    let daemon: AgentDaemon
    let send: AsyncStream<DaemonSignal>.Continuation
    let finished: Task<PipelineCounters, any Error>

    func status() -> AgentStatus? { try? StatusFile.read(in: state) }
    func metric(_ name: String) -> Double? { DiskFullDaemonTests.metric(name, in: daemon.metrics.exposition()) }
  }

  /// Runs `body` beside the daemon, started on the replay profile (`spaceReserve`: its
  /// `vault.space_reserve`, nil for the default); a `body` that throws stops the daemon first.
  static func patrolling(spaceReserve: String?, _ body: (Patrolling) async throws -> Void) async throws {
    try await withTemporaryDirectory(prefix: "cl-diskfull") { directory in
      try await withSizedFileSystem(bytes: 96 << 20) { disk in
        let state = disk.mountPoint.appendingPathComponent("state")
        let profilePath = directory.appendingPathComponent("profile.yaml")
        var text = try replayProfileText(state: state)
        if let spaceReserve {
          text = text.replacingOccurrences(
            of: "  quota: 256MiB", with: "  quota: 256MiB\n  space_reserve: \(spaceReserve)")
        }
        try text.write(to: profilePath, atomically: true, encoding: .utf8)
        let profile = try DeviceProfile.load(from: profilePath.path)
        let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .critical, journal: false) }
        let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
        defer { try? vault.close() }
        var options = AgentDaemon.Options(profilePath: profilePath.path)
        options.replayDump = GeneratedPatrol.directory.path
        // At the recorded pace (about 40 s a loop, pauses cut short) the cars come seconds apart, so
        // each phase of a test starts between the same two cars however loaded the machine is; only the
        // first loop has sightings (the ground truth is by frame number), later loops keep it running.
        options.replayPace = .realtime
        options.replayLoop = true
        options.queueCapacity = 64
        options.statusInterval = .milliseconds(100)
        let patrol = GeneratedPatrol.directory
        let daemon = AgentDaemon(
          profile: profile, options: options, vault: vault, makeReader: { try TruthReader(patrol: patrol) },
          logger: logger)
        let (signals, send) = AsyncStream.makeStream(of: DaemonSignal.self)
        let finished = Task { try await daemon.run(signals: signals) }
        let running = Patrolling(disk: disk, state: state, vault: vault, daemon: daemon, send: send, finished: finished)
        do { try await body(running) } catch {
          send.yield(.terminate)
          _ = await finished.result
          throw error
        }
      }
    }
  }

  @Test("chalk marks are refused first, nothing unsynced is lost, status and metrics say so, and it heals")
  func fillsAndRecovers() async throws {
    // Without the space reserve (next test), so the full disk refuses the candidate itself.
    try await Self.patrolling(spaceReserve: "0B") { running in
      let (disk, state, vault, daemon) = (running.disk, running.state, running.vault, running.daemon)
      func status() -> AgentStatus? { running.status() }
      func metric(_ name: String) -> Double? { running.metric(name) }
      #expect(try vault.status().spaceReserveBytes == 0)

      // The patrol's first pass chalks 2VKU835 (frame ~100) and 4MDU729 (~180) while there is
      // room; its second pass (from frame ~640) makes 2VKU835 a candidate.
      #expect(await eventually(within: 300) { (status()?.counters.chalkMarks ?? 0) >= 2 })
      #expect(status()?.vault?.refusingChalkMarks == false)

      // Down into the vault's reserve (32 MiB by default): the next cars of the first pass
      // (7BHB570 at ~330, 3NXB074, 9GBC444) are not chalked.
      try disk.fill(leaving: 16 << 20)
      let refusing = await eventually(within: 300) {
        guard let now = status() else { return false }
        return now.vault?.refusingChalkMarks == true && now.counters.refusedByDiskSpace > 0
      }
      #expect(refusing, "\(String(describing: status()))")
      let inReserve = try #require(status())
      #expect(
        inReserve.alarms.contains { $0.hasPrefix("vault full: new chalk marks refused") }, "\(inReserve.alarms)")
      #expect(metric("chalkline_vault_refusing_chalk_marks") == 1)
      #expect((metric("chalkline_chalk_marks_refused_total") ?? 0) > 0)
      let shown = try runCommand(TestPaths.product("chalkline"), ["status", "--state-dir", state.path])
      #expect(shown.standardOutput.contains("chalking REFUSED"), "\(shown.standardOutput)\(shown.standardError)")

      // Full outright before the second pass: the status file fails (counted in the metrics),
      // and the candidate the second pass makes waits in memory, sealed, instead of being lost.
      try disk.fill(leaving: 0)
      #expect(await eventually(within: 120) { (metric("chalkline_status_write_failures_total") ?? 0) > 0 })
      let waited = await eventually(within: 300) { (metric("chalkline_candidates_waiting_for_space") ?? 0) >= 1 }
      #expect(waited, "\(daemon.metrics.exposition())")
      #expect((metric("chalkline_vault_disk_full_failures_total") ?? 0) > 0)
      #expect(try vault.pendingCandidateCount() == 0)

      // Space returns: the agent takes it up by itself, writes what waited and chalks again.
      disk.releaseBallast()
      let healed = await eventually(within: 300) {
        guard let now = status(), Date().timeIntervalSince(now.updatedAt) < 5 else { return false }
        return now.vault?.refusingChalkMarks == false && now.counters.candidatesWaitingForSpace == 0
          && now.counters.candidates >= 1 && now.counters.chalkMarks > inReserve.counters.chalkMarks
      }
      #expect(healed, "\(String(describing: status()))")
      let after = try #require(status())
      #expect(!after.alarms.contains { $0.hasPrefix("vault full") || $0.hasPrefix("disk full") }, "\(after.alarms)")
      #expect((after.statusWriteFailures ?? 0) > 0)
      #expect(metric("chalkline_vault_refusing_chalk_marks") == 0)
      #expect(metric("chalkline_candidates_waiting_for_space") == 0)

      running.send.yield(.terminate)
      let counters = try await running.finished.value
      #expect(counters.candidatesUnwritten == 0)
      #expect(counters.candidates > 0)
      #expect(try vault.pendingCandidateCount() == counters.candidates)
      let pending = try await vault.pendingCandidates(limit: .max)
      #expect(pending.allSatisfy { $0.evidence.count == 2 })
      #expect(try vault.unreadableOrOrphanedRows() == [])
      #expect(try vault.integrityCheck() == ["ok"])
      print(
        "disk full daemon: \(counters.frames) frames, \(counters.chalkMarks) chalk marks, "
          + "\(counters.refusedByDiskSpace) refused for space, \(counters.candidates) candidates, "
          + "\(counters.vaultWriteFailures) vault write failures, \(after.statusWriteFailures ?? 0) status write failures, "
          + "\(after.pipelineErrors) pipeline errors, \(counters.sightings) sightings, skipped \(counters.skipped)")
    }
  }

  @Test("with the space reserve, a candidate on a disk full outright is written at once and survives a stop")
  func reserveKeepsEvidenceAcrossAStop() async throws {
    try await Self.patrolling(spaceReserve: nil) { running in
      let (disk, state, vault, daemon) = (running.disk, running.state, running.vault, running.daemon)
      func status() -> AgentStatus? { running.status() }
      func metric(_ name: String) -> Double? { running.metric(name) }
      // The profile's default reserve, taken when the vault opened.
      #expect(try vault.status().spaceReserveHeldBytes == 16 << 20)

      // The first pass chalks 2VKU835 and 4MDU729; then something else fills the disk outright
      // before the second pass makes 2VKU835 a candidate.
      #expect(await eventually(within: 300) { (status()?.counters.chalkMarks ?? 0) >= 2 })
      try disk.fill(leaving: 0)

      // The candidate's write gives up the reserve and goes into the vault: nothing waits in memory.
      let written = await eventually(within: 300) { ((try? vault.pendingCandidateCount()) ?? 0) >= 1 }
      #expect(written, "\(daemon.metrics.exposition())")
      #expect(metric("chalkline_candidates_waiting_for_space") == 0)
      // The status and the metrics follow at the next status tick.
      let reported = await eventually(within: 120) {
        status()?.alarms.contains { $0.hasPrefix("disk full: the vault's space reserve is given up") } == true
      }
      #expect(reported, "\(String(describing: status()?.alarms))")
      let counted = await eventually(within: 120) {
        (metric("chalkline_vault_space_reserve_releases_total") ?? 0) >= 1
      }
      #expect(counted, "\(daemon.metrics.exposition())")
      #expect(metric("chalkline_vault_space_reserve_bytes").map { $0 < Double(16 << 20) } == true)
      let shown = try runCommand(TestPaths.product("chalkline"), ["status", "--state-dir", state.path])
      #expect(shown.standardOutput.contains("GIVEN UP"), "\(shown.standardOutput)\(shown.standardError)")

      // Stopped while the disk is still full: no candidate is lost, each with both pictures.
      running.send.yield(.terminate)
      let counters = try await running.finished.value
      #expect(counters.candidatesUnwritten == 0)
      #expect(counters.candidates >= 1)
      #expect(try vault.pendingCandidateCount() == counters.candidates)
      let pending = try await vault.pendingCandidates(limit: .max)
      #expect(pending.allSatisfy { $0.evidence.count == 2 })
      #expect(try vault.integrityCheck() == ["ok"])
    }
  }
}
