// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineModel
import ChalklineTestKit
import Crypto
import Dump
import Enforcement
import Foundation
import Hub
import HubDevTools
import Logging
import Testing
import Uplink
import Vault
import Wire

extension GeneratedPatrol {
  /// The expected candidates when no verified permit list is held: none in a zone whose rule a
  /// permit would lift (the agent enforces no such rule without a list).
  static var expectedWithoutPermitList: [String: Int] {
    let folder = TestPaths.packageRoot.appendingPathComponent("device-profiles/zones")
    let zones = try! ZonesFileLoader.load(
      zones: folder.appendingPathComponent("san-jose-downtown.json"),
      policies: folder.appendingPathComponent("san-jose-downtown-policies.json"),
      periods: folder.appendingPathComponent("san-jose-holidays.json"))
    let needsList = Set(
      zones.zones.filter { zone in zones.policies(of: zone.id).contains(where: \.needsPermitList) }.map(\.id.rawValue))
    return expectedByZone.filter { !needsList.contains($0.key) }
  }
}

/// The generated patrol with permit holders (`generate.py --permits`) and its permits.csv.
enum PermitPatrol {
  static let directory: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("chalkline-permit-patrol-\(getpid())")
    if !FileManager.default.fileExists(atPath: url.appendingPathComponent("permits.csv").path) {
      let script = TestPaths.packageRoot.appendingPathComponent("tools/patrol/generate.py").path
      let result = try! runCommand(
        URL(fileURLWithPath: "/usr/bin/python3"), [script, "--out", url.path, "--permits"])
      precondition(result.status == 0, "patrol generator failed: \(result.standardError)")
    }
    return url
  }()

  struct Expected: Decodable {
    struct Candidate: Decodable {
      var plate: String
      var zone: String
    }
    var candidates: [Candidate]
  }

  static var expected: [Expected.Candidate] {
    try! JSONDecoder().decode(Expected.self, from: Data(contentsOf: directory.appendingPathComponent("expected.json")))
      .candidates
  }

  /// Every plate of the permit list, as the permit office wrote it.
  static var permitPlates: [String] {
    let text = try! String(contentsOf: directory.appendingPathComponent("permits.csv"), encoding: .utf8)
    return text.split(separator: "\n").dropFirst().map { String($0.split(separator: ",")[1]) }
  }
}

@Suite("Permits on patrol", .serialized)
struct PermitPatrolTests {
  let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .error, journal: false) }

  /// Writes the loopback hub's configuration as the operator's HUB.json.
  func writeConfiguration(_ hub: LoopbackHub) throws -> URL {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    let url = hub.directory.appendingPathComponent("hub.json")
    try encoder.encode(hub.configuration).write(to: url)
    return url
  }

  @Test(
    "the permit list imported into the hub: every car that stayed without a valid permit R is a candidate, no holder is, and no permit plate is on the vehicle's disk"
  )
  func replayWithTheHubsList() async throws {
    try await withTemporaryDirectory(prefix: "cl-permits") { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"), reviewers: ["officer": "pw"])
      let keysFile = directory.appendingPathComponent("upstream-keys.json")
      try UplinkAPI.encoder().encode(hub.keys.publicKeys).write(to: keysFile)
      let state = directory.appendingPathComponent("state")
      try await hub.serve(logger: logger) { port in
        let identity = try hub.pki.issue(name: "truck-7")
        let (_, profile) = try uplinkProfile(
          hub: hub, identity: identity, hubPort: port, keysFile: keysFile, state: state, batchSize: 10)
        let vault = try ReplayRunner.openVault(
          profile: profile, upstreamKeys: try UpstreamKeysFile.read(keysFile.path), logger: logger)
        defer { try? vault.close() }
        try await hub.service(logger: logger).registerDevice(
          name: "truck-7", certificatePath: identity.certificate,
          signingKey: vault.keyring.deviceKey.publicKey.rawRepresentation)

        // As docs/hub.md says: chalkline-hub permits import --config HUB.json FILE.csv, while serve runs.
        let binary = TestPaths.packageRoot.appendingPathComponent(".build/debug/chalkline-hub")
        try #require(FileManager.default.fileExists(atPath: binary.path), "build chalkline-hub first")
        let imported = try runCommand(
          binary,
          [
            "permits", "import", "--config", try writeConfiguration(hub).path,
            PermitPatrol.directory.appendingPathComponent("permits.csv").path,
          ])
        #expect(imported.status == 0, "\(imported.standardError)")
        #expect(imported.standardOutput.contains("published permits version 1"), "\(imported.standardOutput)")
        #expect(PermitPatrol.permitPlates.allSatisfy { !imported.standardOutput.contains($0) })

        let runner = ReplayRunner(
          profile: profile, dump: PermitPatrol.directory, pace: .fast,
          reader: try TruthReader(patrol: PermitPatrol.directory), logger: logger)
        let summary = try await runner.run(vault: vault)
        let expectedByZone = Dictionary(grouping: PermitPatrol.expected, by: \.zone).mapValues(\.count)
        #expect(summary.candidatesByZone == expectedByZone, "\(summary.lines.joined(separator: "\n"))")
        #expect(summary.rules?.contains("permits hub permits version 1") == true, "\(summary.rules ?? "-")")
        #expect((summary.counters.skipped["exempt"] ?? 0) > 0, "the holder was seen and exempted")

        // The candidates the hub receives are exactly the expected cars: the holder is not among them.
        let sync = try #require(try AgentDaemon.makeUplink(profile: profile, vault: vault, logger: logger))
        let report = try await sync.whileOpen { try await $0.syncUntilDrained(maxFailures: 8) }
        #expect(report.acknowledged == PermitPatrol.expected.count)
        let held = try await hub.service(logger: logger).reviewCandidates(
          reviewer: "officer", purpose: "citation review", page: 1, limit: 100)
        #expect(Set(held.map(\.plateText)) == Set(PermitPatrol.expected.map(\.plate)))

        // Zones and permits put in force are in the vehicle's audit log, without plates.
        let audit = try vault.auditEntries()
        #expect(audit.contains { $0.action == "permits.in_force" && $0.detail.hasPrefix("version=1 source=hub") })
        #expect(audit.contains { $0.action == "zones.in_force" })

        // No permit plate in the clear anywhere in the vehicle's state directory.
        let plates = PermitPatrol.permitPlates + PermitPatrol.permitPlates.map(PlateCanonicalForm.canonical)
        var scanned = 0
        for case let file as URL in FileManager.default.enumerator(at: state, includingPropertiesForKeys: nil)! {
          guard let bytes = try? Data(contentsOf: file) else { continue }
          scanned += 1
          for plate in plates {
            #expect(bytes.range(of: Data(plate.utf8)) == nil, "\(plate) in the clear in \(file.lastPathComponent)")
          }
        }
        #expect(scanned > 3)
      }
    }
  }

  @Test(
    "the daemon enforces the list it holds at start, takes a newer version from the hub while running, and SIGHUP keeps the newest"
  )
  func daemonTakesNewerLists() async throws {
    try await withTemporaryDirectory(prefix: "cl-permitd") { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let keysFile = directory.appendingPathComponent("upstream-keys.json")
      try UplinkAPI.encoder().encode(hub.keys.publicKeys).write(to: keysFile)
      let state = directory.appendingPathComponent("state")
      let csv = try Data(contentsOf: PermitPatrol.directory.appendingPathComponent("permits.csv"))
      try await hub.serve(logger: logger) { port in
        let identity = try hub.pki.issue(name: "truck-8")
        let (profilePath, profile) = try uplinkProfile(
          hub: hub, identity: identity, hubPort: port, keysFile: keysFile, state: state, batchSize: 10)
        let vault = try ReplayRunner.openVault(
          profile: profile, upstreamKeys: try UpstreamKeysFile.read(keysFile.path), logger: logger)
        defer { try? vault.close() }
        let service = try hub.service(logger: logger)
        try await service.registerDevice(
          name: "truck-8", certificatePath: identity.certificate,
          signingKey: vault.keyring.deviceKey.publicKey.rawRepresentation)
        try await service.importPermits(csv: csv, file: "permits.csv", actor: "operator:test")
        // The last shift's sync left version 1 in the vehicle's cache.
        let sync = try #require(try AgentDaemon.makeUplink(profile: profile, vault: vault, logger: logger))
        _ = try await sync.whileOpen { try await $0.refreshDocuments() }
        // The permit office sends the list again: version 2, a new permit key.
        #expect(
          try await service.importPermits(csv: csv, file: "permits.csv", actor: "operator:test").publishedVersion == 2)

        var options = AgentDaemon.Options(profilePath: profilePath.path)
        options.replayDump = PermitPatrol.directory.path
        options.replayPace = .fast
        options.replayLoop = false
        options.queueCapacity = 5_000
        options.statusInterval = .milliseconds(100)
        let truth = PermitPatrol.directory
        let daemon = AgentDaemon(
          profile: profile, options: options, vault: vault, notifier: SystemdNotifier(environment: [:]),
          makeReader: { try TruthReader(patrol: truth) }, logger: logger)
        let (signals, send) = AsyncStream.makeStream(of: DaemonSignal.self)
        async let finished = daemon.run(signals: signals)
        let done = await eventually(within: 600) {
          guard let status = try? StatusFile.read(in: vault.stateDirectory) else { return false }
          return status.camera.state == "ended" && status.counters.frames == status.camera.framesDelivered
            && status.permits?.hasPrefix("hub permits version 2") == true
        }
        #expect(done)
        // SIGHUP reads the cache again: it holds version 2 already, so nothing changes (no rollback, no reload).
        send.yield(.hangUp)
        try await Task.sleep(for: .seconds(1))
        send.yield(.terminate)
        let counters = try await finished
        #expect(counters.permitsReplaced == 1)
        let status = try StatusFile.read(in: vault.stateDirectory)
        #expect(status.permits?.hasPrefix("hub permits version 2") == true, "\(status.permits ?? "-")")
        #expect(!status.alarms.contains { $0.contains("permit") }, "\(status.alarms)")
        // Both lists hold the same permits: whichever one a sighting met, the candidates are the same.
        let expectedByZone = Dictionary(grouping: PermitPatrol.expected, by: \.zone).mapValues(\.count)
        #expect(counters.candidates == PermitPatrol.expected.count)
        let held = try await service.storage.candidates(reviewState: nil, limit: 100)
        let pending = try await vault.pendingCandidates(limit: 100).compactMap { try? $0.manifest().zone }
        #expect(
          Dictionary(grouping: held.map(\.zone) + pending, by: { $0 }).mapValues(\.count) == expectedByZone)
        let inForce = try vault.auditEntries().filter { $0.action == "permits.in_force" }.map(\.detail)
        #expect(inForce.first?.hasPrefix("version=1 source=hub") == true, "\(inForce)")
        #expect(inForce.last?.hasPrefix("version=2 source=hub") == true, "\(inForce)")
      }
    }
  }

  @Test("without a verified list, no rule a permit would lift is enforced, and status and metrics say so")
  func noListNoPermitRules() async throws {
    try await withTemporaryDirectory(prefix: "cl-nolist") { directory in
      let profile = try replayProfile(state: directory.appendingPathComponent("state"))
      let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
      defer { try? vault.close() }
      let runner = ReplayRunner(
        profile: profile, dump: PermitPatrol.directory, pace: .fast,
        reader: try TruthReader(patrol: PermitPatrol.directory), logger: logger)
      let summary = try await runner.run(vault: vault)
      #expect(
        summary.candidatesByZone == ["fbecfba9-6a5b-5355-8baa-c8cd2610c2ca": 1],
        "\(summary.lines.joined(separator: "\n"))")
      #expect((summary.counters.skipped["no verified permit list"] ?? 0) > 0)
      #expect(summary.rules?.contains("permits none verified") == true, "\(summary.rules ?? "-")")

      var status = AgentStatus(
        version: "t", pid: 1, deviceID: "d", profile: "p", phase: .running, startedAt: Date(), updatedAt: Date(),
        camera: .init(source: "replay", device: "d", state: "replaying"), gps: .init(state: "fix"))
      status.permitRulesUnenforced = 3
      status.alarms = AgentStatus.alarms(for: status)
      #expect(
        status.alarms.contains {
          $0.hasPrefix("no verified permit list: 3 permit policies are not enforced")
        }, "\(status.alarms)")
      let metrics = AgentMetrics()
      metrics.update(from: status)
      #expect(metrics.exposition().contains("chalkline_permit_policies_unenforced 3"))
    }
  }
}
