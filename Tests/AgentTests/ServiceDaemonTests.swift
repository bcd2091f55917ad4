// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Dump
import Foundation
import Logging
import Testing
import Vault

/// The daemon end to end, with the generated patrol standing in for the camera and gpsd (the
/// `--replay-dump` hook) and the ground-truth reader in place of the models.
@Suite("The agent daemon", .serialized)
struct ServiceDaemonTests {
  private struct Rig {
    var profilePath: URL
    var profileText: String
    var profile: DeviceProfile
    /// The profile's zones file: a copy of the shipped one that a test may edit.
    var zonesPath: URL
    /// The policies response beside it (the limits a reload edits).
    var policiesPath: URL
    var vault: Vault
    var receiver: NotifyReceiver
    var notifier: SystemdNotifier
    var logger: Logger
  }

  private func withRig(watchdogSeconds: Int, _ body: (Rig) async throws -> Void) async throws {
    try await withTemporaryDirectory(prefix: "cl-daemon") { directory in
      let zonesPath = directory.appendingPathComponent("zones.json")
      let policiesPath = directory.appendingPathComponent("policies.json")
      let shipped = TestPaths.packageRoot.appendingPathComponent("device-profiles/zones")
      try FileManager.default.copyItem(at: shipped.appendingPathComponent("san-jose-downtown.json"), to: zonesPath)
      try FileManager.default.copyItem(
        at: shipped.appendingPathComponent("san-jose-downtown-policies.json"), to: policiesPath)
      let text = try replayProfileText(
        state: directory.appendingPathComponent("state"), zones: zonesPath, policies: policiesPath)
      let profilePath = directory.appendingPathComponent("profile.yaml")
      try text.write(to: profilePath, atomically: true, encoding: .utf8)
      let profile = try DeviceProfile.load(from: profilePath.path)
      let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .error, journal: false) }
      let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
      defer { try? vault.close() }
      let receiver = try NotifyReceiver(path: directory.appendingPathComponent("notify.sock").path)
      let notifier = SystemdNotifier(environment: [
        "NOTIFY_SOCKET": receiver.path, "WATCHDOG_USEC": "\(watchdogSeconds * 1_000_000)",
      ])
      try await body(
        Rig(
          profilePath: profilePath, profileText: text, profile: profile, zonesPath: zonesPath,
          policiesPath: policiesPath, vault: vault,
          receiver: receiver,
          notifier: notifier, logger: logger))
    }
  }

  private func daemon(_ rig: Rig, stallAfter: Int? = nil, queue: Int) -> AgentDaemon {
    var options = AgentDaemon.Options(profilePath: rig.profilePath.path)
    options.replayDump = GeneratedPatrol.directory.path
    options.replayPace = .fast
    options.replayLoop = false
    options.queueCapacity = queue
    options.statusInterval = .milliseconds(100)
    options.stallAfter = stallAfter
    let patrol = GeneratedPatrol.directory
    return AgentDaemon(
      profile: rig.profile, options: options, vault: rig.vault, notifier: rig.notifier,
      makeReader: { try TruthReader(patrol: patrol) }, logger: rig.logger)
  }

  private func status(_ rig: Rig) -> AgentStatus? { try? StatusFile.read(in: rig.vault.stateDirectory) }

  @Test("decides the patrol as the replay does; SIGHUP reloads, SIGTERM finishes what is in flight")
  func wholeRun() async throws {
    try await withRig(watchdogSeconds: 2) { rig in
      let (signals, send) = AsyncStream.makeStream(of: DaemonSignal.self)
      async let finished = daemon(rig, queue: 5_000).run(signals: signals)

      // The dump plays once; then the source falls silent, as a dead camera would.
      let ended = await eventually(within: 600) {
        guard let status = status(rig) else { return false }
        return status.camera.state == "ended" && status.counters.frames == status.camera.framesDelivered
      }
      #expect(ended, "\(String(describing: status(rig)))")
      #expect(await eventually(within: 30) { status(rig)?.watchdog == "source-silent" })
      #expect(status(rig)?.alarms.contains { $0.contains("source-silent") } == true)

      // A broken profile is refused; a good one is taken, and the change is audited.
      try "camera: [\n".write(to: rig.profilePath, atomically: true, encoding: .utf8)
      send.yield(.hangUp)
      // Refused loudly: the status raises an alarm until a reload is taken.
      let refusedAlarm = await eventually(within: 30) {
        status(rig)?.alarms.contains { $0.hasPrefix("profile reload refused, the running profile stays in force") }
          == true
      }
      #expect(refusedAlarm, "\(String(describing: status(rig)?.alarms))")
      try rig.profileText.replacingOccurrences(of: "fps: 30", with: "fps: 15")
        .write(to: rig.profilePath, atomically: true, encoding: .utf8)
      send.yield(.hangUp)
      let audited = try await eventually(within: 30) {
        try rig.vault.auditEntries().contains { $0.action == "profile.reload" }
      }
      #expect(audited)
      let reloads = try rig.vault.auditEntries().filter { $0.action == "profile.reload" }
      #expect(reloads.map(\.detail) == ["changed=camera.fps"])
      #expect(await eventually(within: 30) { status(rig)?.profileRefused == nil })

      send.yield(.terminate)
      let counters = try await finished
      let expected = GeneratedPatrol.expectedWithoutPermitList.values.reduce(0, +)
      #expect(counters.frames > 1000)
      #expect(counters.candidates == expected)
      #expect(try rig.vault.pendingCandidateCount() == expected)
      #expect(status(rig)?.phase == .stopped)
      let sent = rig.receiver.assignments
      #expect(sent.first == "READY=1")
      #expect(sent.contains("WATCHDOG=1"))
      #expect(sent.contains("STOPPING=1"))
      #expect(sent.contains("RELOADING=1"))
      #expect(sent.contains { $0.hasPrefix("STATUS=running: ") && $0.contains(" sightings, ") })
    }
  }

  @Test("SIGHUP puts an edited zones file in force from the next frame; a broken one is refused")
  func zonesReloadLive() async throws {
    try await withRig(watchdogSeconds: 30) { rig in
      let (signals, send) = AsyncStream.makeStream(of: DaemonSignal.self)
      async let finished = daemon(rig, queue: 8).run(signals: signals)
      #expect(await eventually(within: 120) { (status(rig)?.counters.frames ?? 0) >= 20 })
      let original = try String(contentsOf: rig.policiesPath, encoding: .utf8)
      #expect(status(rig)?.zones?.hasPrefix("file \(rig.zonesPath.path)") == true)

      // A broken file first: refused, the zones in force stay.
      try "{ \"version\": ".write(to: rig.zonesPath, atomically: true, encoding: .utf8)
      send.yield(.hangUp)
      #expect(
        await eventually(within: 60) { status(rig)?.alarms.contains { $0.hasPrefix("zones reload refused") } == true })
      #expect(status(rig)?.counters.zonesReplaced == 0)
      // Then the city allows four hours instead of two: the patrol's 135-minute stays are legal.
      let relaxed = original.replacingOccurrences(of: "\"max_stay\": 2,", with: "\"max_stay\": 4,")
      #expect(relaxed != original)
      try relaxed.write(to: rig.policiesPath, atomically: true, encoding: .utf8)
      // The broken zones file goes back as it was; the reload reads both responses.
      let zones = TestPaths.packageRoot.appendingPathComponent("device-profiles/zones/san-jose-downtown.json")
      try Data(contentsOf: zones).write(to: rig.zonesPath)
      send.yield(.hangUp)
      #expect(await eventually(within: 60) { status(rig)?.counters.zonesReplaced == 1 })
      #expect(status(rig)?.zonesRefused == nil)
      // The second pass starts at the patrol's frame 604: the reload must have come before it.
      let framesAtReload = status(rig)?.counters.frames ?? .max
      #expect(framesAtReload < 604, "the reload came too late to matter: frame \(framesAtReload)")

      #expect(await eventually(within: 600) { status(rig)?.camera.state == "ended" })
      send.yield(.terminate)
      let counters = try await finished
      #expect(counters.zonesReplaced == 1)
      #expect(counters.candidates == 0, "the relaxed limit was not enforced")
      #expect(counters.frames > 1000)
    }
  }

  @Test("a stalled pipeline withholds the watchdog pings and says why")
  func stall() async throws {
    try await withRig(watchdogSeconds: 1) { rig in
      let (signals, send) = AsyncStream.makeStream(of: DaemonSignal.self)
      async let finished = daemon(rig, stallAfter: 5, queue: 16).run(signals: signals)
      #expect(await eventually(within: 120) { status(rig)?.watchdog == "pipeline-stalled" })
      // Ten more status ticks (each sends STATUS=), and none of them pinged the watchdog.
      func count(_ prefix: String) -> Int { rig.receiver.assignments.filter { $0.hasPrefix(prefix) }.count }
      let (pings, ticks) = (count("WATCHDOG=1"), count("STATUS="))
      #expect(await eventually(within: 120) { count("STATUS=") >= ticks + 10 })
      #expect(count("WATCHDOG=1") == pings)
      #expect(status(rig)?.counters.frames == 5)
      send.yield(.terminate)
      let counters = try await finished
      #expect(counters.frames >= 5)
    }
  }
}
