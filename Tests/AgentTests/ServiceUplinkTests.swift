// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Crypto
import Foundation
import Hub
import HubDevTools
import Logging
import Testing
import Uplink
import Vault
import Wire

/// The agent with `uplink.url` set, against the real reference hub on loopback (mutual TLS):
/// the patrol's candidates reach the hub exactly once and leave the vehicle's outbox.
@Suite("The agent's uplink", .serialized)
struct ServiceUplinkTests {
  @Test("the daemon sends its candidates to the hub and status shows the uplink")
  func candidatesReachTheHub() async throws {
    try await withTemporaryDirectory(prefix: "cl-uplink") { directory in
      let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .error, journal: false) }
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let keysFile = directory.appendingPathComponent("upstream-keys.json")
      try UplinkAPI.encoder().encode(hub.keys.publicKeys).write(to: keysFile)
      let state = directory.appendingPathComponent("state")
      let metricsPort = try freeLoopbackPort()

      try await hub.serve(logger: logger) { port in
        let identity = try hub.pki.issue(name: "truck-12")
        let (profilePath, profile) = try uplinkProfile(
          hub: hub, identity: identity, hubPort: port, keysFile: keysFile, state: state, metricsPort: metricsPort,
          batchSize: 1)
        let keys = try UpstreamKeysFile.read(keysFile.path)
        let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: keys, logger: logger)
        defer { try? vault.close() }
        try await hub.service(logger: logger).registerDevice(
          name: "truck-12", certificatePath: identity.certificate,
          signingKey: vault.keyring.deviceKey.publicKey.rawRepresentation)
        // The city publishes its zones (the same rules, re-issued): the running agent takes them.
        let published = try await hub.service(logger: logger).publish(.zones, body: try shippedHubZonesDocument())

        let daemon = replayDaemon(
          profilePath: profilePath, profile: profile, vault: vault, loop: false, queue: 5_000,
          statusInterval: .milliseconds(100), logger: logger)
        let (signals, send) = AsyncStream.makeStream(of: DaemonSignal.self)
        async let finished = daemon.run(signals: signals)

        let expected = GeneratedPatrol.expectedWithoutPermitList
        let storage = try hub.service(logger: logger).storage
        // One status snapshot that shows it all: a later pass may fail transiently on a loaded machine.
        var seen: AgentStatus?
        let arrived = await eventually(within: 600) {
          guard let status = try? StatusFile.read(in: vault.stateDirectory) else { return false }
          seen = status
          return status.camera.state == "ended" && status.counters.frames == status.camera.framesDelivered
            && status.uplink?.backlog == 0
            && status.uplink?.sent == expected.values.reduce(0, +) && status.uplink?.connected == true
        }
        let status = try #require(seen)
        #expect(arrived, "\(status)")
        #expect(status.lastSync != nil && status.uplink?.rejected == 0)
        #expect(
          status.zones?.hasPrefix("hub zones version \(published.version)") == true,
          "\(String(describing: status.zones))")
        #expect(status.counters.zonesReplaced == 1)
        #expect(!status.alarms.contains { $0.contains("hub") })

        // Prometheus on localhost: the same figures, no plate-derived label or value.
        // curl waits on a GCD thread: blocking the cooperative pool would stall the server it asks.
        let scrape = try await withCheckedThrowingContinuation { continuation in
          DispatchQueue.global().async {
            continuation.resume(
              with: Result {
                try runCommand(
                  URL(fileURLWithPath: "/usr/bin/curl"),
                  ["-sf", "--max-time", "60", "http://127.0.0.1:\(metricsPort)/metrics"])
              })
          }
        }
        #expect(scrape.status == 0)
        let metrics = scrape.standardOutput
        #expect(metrics.contains("chalkline_frames_read_total \(status.counters.frames)"))
        #expect(metrics.contains("chalkline_uplink_sent_total \(expected.values.reduce(0, +))"))
        #expect(metrics.contains("# TYPE chalkline_queue_depth gauge"))
        #expect(metrics.contains("# HELP chalkline_frames_read_total "))
        // The one label there is: a skip reason from a fixed list.
        #expect(metrics.split(separator: "\n").filter { $0.contains("{") }.allSatisfy { $0.contains("{reason=\"") })
        let plates = try String(
          contentsOf: GeneratedPatrol.directory.appendingPathComponent("truth.jsonl"), encoding: .utf8
        ).split(separator: "\"").filter { $0.count >= 5 && $0.allSatisfy { $0.isNumber || $0.isUppercase } }
        #expect(!plates.isEmpty)
        #expect(plates.allSatisfy { !metrics.contains($0) }, "plate text in the metrics")
        send.yield(.terminate)
        let counters = try await finished
        #expect(counters.candidates == expected.values.reduce(0, +))

        let held = try await storage.candidates(reviewState: nil, limit: 100)
        #expect(Dictionary(grouping: held, by: \.zone).mapValues(\.count) == expected)
        #expect(held.allSatisfy { $0.evidence.count == 2 })
        #expect(held.allSatisfy { ($0.manifest.readConfidence ?? 0) > 0 }, "the reviewer sees the read confidence")
        #expect(try vault.pendingCandidateCount() == 0)
      }
    }
  }

  @Test("a restarted agent enforces the hub's signed zones it holds, not the profile's file")
  func hubZonesTakePrecedence() async throws {
    try await withTemporaryDirectory(prefix: "cl-zones") { directory in
      let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .error, journal: false) }
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let keysFile = directory.appendingPathComponent("upstream-keys.json")
      try UplinkAPI.encoder().encode(hub.keys.publicKeys).write(to: keysFile)
      let state = directory.appendingPathComponent("state")
      // No hub answers on this port: the agent works from what the last sync left.
      let (profilePath, profile) = try uplinkProfile(
        hub: hub, identity: try hub.pki.issue(name: "truck-13"), hubPort: try freeLoopbackPort(), keysFile: keysFile,
        state: state, batchSize: 5)
      let vault = try ReplayRunner.openVault(
        profile: profile, upstreamKeys: try UpstreamKeysFile.read(keysFile.path), logger: logger)
      defer { try? vault.close() }
      // The last sync brought zones version 3: the city removed every zone of the patrol.
      let cache = try DistributionCache(
        directory: state.appendingPathComponent("uplink"), trustedKey: hub.keys.signing.publicKey, logger: logger)
      let empty = Data(#"{"data":{"curb_zones":[],"curb_policies":[]},"time_zone":"America/Los_Angeles"}"#.utf8)
      #expect(
        try cache.accept(
          SignedDocument.signed(kind: .zones, version: 3, issuedAt: Date(), body: empty, key: hub.keys.signing),
          expected: .zones))

      let daemon = replayDaemon(
        profilePath: profilePath, profile: profile, vault: vault, loop: false, queue: 64,
        statusInterval: .milliseconds(100), logger: logger)
      let (signals, send) = AsyncStream.makeStream(of: DaemonSignal.self)
      async let finished = daemon.run(signals: signals)
      let ended = await eventually(within: 600) {
        guard let status = try? StatusFile.read(in: vault.stateDirectory) else { return false }
        return status.camera.state == "ended" && status.counters.frames == status.camera.framesDelivered
      }
      #expect(ended)
      send.yield(.terminate)
      let counters = try await finished
      #expect(counters.sightings > 0)
      #expect(counters.candidates == 0 && counters.chalkMarks == 0)
      #expect(counters.skipped["outside every zone"] == counters.sightings)
    }
  }
}
