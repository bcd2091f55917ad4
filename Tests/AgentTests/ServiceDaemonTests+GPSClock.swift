// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Dump
import Foundation
import Logging
import Testing
import Vault

extension ServiceDaemonTests {
  /// A real receiver whose fixes predate this release (the Quectel L76K log, recorded
  /// 2026-08-05): the daemon refuses every fix, raises the alarm, and nothing is chalked on them
  /// while the patrol replays.
  @Test("fixes dated before the release are refused, alarmed, and nothing is chalked on them")
  func implausibleGPSTimeChalksNothing() async throws {
    let log = try #require(GPSDTestData.gpsLog("quectel-l76k-nmea.log"), "the shared gps logs are missing")
    try await withDaemonOnGPSD(log: log, prefix: "cl-gps-clock", loop: false, statusInterval: .milliseconds(100)) {
      daemon, vault, _ in
      let (signals, send) = AsyncStream.makeStream(of: DaemonSignal.self)
      async let finished = daemon.run(signals: signals)
      func status() -> AgentStatus? { try? StatusFile.read(in: vault.stateDirectory) }
      let alarmed = await eventually(within: 60) {
        status()?.alarms.contains { $0.hasPrefix("GPS time refused, nothing is chalked: fix dated 2026-08-05") } == true
      }
      #expect(alarmed, "\(String(describing: status()?.alarms)) \(String(describing: status()?.gps))")
      #expect(await eventually(within: 300) { status()?.camera.state == "ended" })
      let seen = status()
      send.yield(.terminate)
      let counters = try await finished
      #expect((seen?.gps.fixes ?? 0) > 0, "gpsd sent fixes")
      #expect(counters.gpsFixes == 0)
      #expect(counters.chalkMarks == 0)
      #expect(counters.candidates == 0)
      #expect(counters.sightings > 0 && counters.withoutPosition == counters.sightings)
    }
  }
}

/// The daemon replaying the generated patrol while its fixes come from a real gpsd fed `log`
/// (128 bytes every 50 ms, from the start); `body` gets the daemon, its vault and gpsd.
func withDaemonOnGPSD<T>(
  log: URL, prefix: String, loop: Bool, statusInterval: Duration,
  _ body: (AgentDaemon, Vault, GPSDProcess) async throws -> T
) async throws -> T {
  try await withTemporaryDirectory(prefix: prefix) { directory in
    let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .critical, journal: false) }
    let feeder = try GPSDFeeder(log: log, chunkSize: 128, interval: 0.05)
    feeder.release()
    defer { feeder.close() }
    let port = try GPSDProcess.freePort()
    let gpsd = try GPSDProcess(feedPort: feeder.port, port: port)
    defer { gpsd.stop() }
    let text = try replayProfileText(state: directory.appendingPathComponent("state"))
      .replacingOccurrences(of: "\ngps:\n", with: "\ngps:\n  host: 127.0.0.1\n  port: \(port)\n")
    let profilePath = directory.appendingPathComponent("profile.yaml")
    try text.write(to: profilePath, atomically: true, encoding: .utf8)
    let profile = try DeviceProfile.load(from: profilePath.path)
    #expect(profile.gps.port == port)
    let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
    defer { try? vault.close() }
    var options = AgentDaemon.Options(profilePath: profilePath.path)
    options.replayDump = GeneratedPatrol.directory.path
    options.replayPace = .fast
    options.replayFixesFromDump = false
    options.replayLoop = loop
    options.statusInterval = statusInterval
    let truth = GeneratedPatrol.directory
    let daemon = AgentDaemon(
      profile: profile, options: options, vault: vault, notifier: SystemdNotifier(environment: [:]),
      makeReader: { try TruthReader(patrol: truth) }, logger: logger)
    return try await body(daemon, vault, gpsd)
  }
}
