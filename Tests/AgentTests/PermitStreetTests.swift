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

/// The permit street of real photos (`generate.py --real-photos plates-us-dev --permit-street`):
/// its dump, `zones.json`, `permits.csv`, `baseline-permits.csv` and `expected.json`.
enum PermitStreet {
  static let directory: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("chalkline-permit-street-\(getpid())")
    if !FileManager.default.fileExists(atPath: url.appendingPathComponent("expected.json").path) {
      let script = TestPaths.packageRoot.appendingPathComponent("tools/patrol/generate.py").path
      let photos = TestPaths.shared.appendingPathComponent("data/plates-us-dev").path
      let result = try! runCommand(
        URL(fileURLWithPath: "/usr/bin/python3"),
        [script, "--out", url.path, "--real-photos", photos, "--permit-street"])
      precondition(result.status == 0, "patrol generator failed: \(result.standardError)")
    }
    return url
  }()

  struct Expected: Decodable {
    struct Car: Decodable {
      var plate: String
      var zone: String?
      var kind: String?
      var car: String
    }
    var candidates: [Car]
    var notCandidates: [Car]
    var permitHolders: [String]
    var permitPlates: [String]
  }

  static var expected: Expected {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try! decoder.decode(Expected.self, from: Data(contentsOf: directory.appendingPathComponent("expected.json")))
  }
}

/// Runs a command on a thread of its own, not one of the few cooperative threads: the hub in
/// this process must answer the command's requests meanwhile.
func runOffPool(_ executable: URL, _ arguments: [String]) async throws -> CommandResult {
  try await withCheckedThrowingContinuation { continuation in
    Thread.detachNewThread { continuation.resume(with: Result { try runCommand(executable, arguments) }) }
  }
}

@Suite("Permit street of real photos", .serialized)
struct PermitStreetTests {
  let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .error, journal: false) }

  /// One vehicle: its state directory, profile (uplink to the hub) and registered device id.
  struct Vehicle {
    var state: URL
    var profilePath: URL
    var profile: DeviceProfile
    var device: String
  }

  func vehicle(
    _ name: String, hub: LoopbackHub, port: Int, keysFile: URL, in directory: URL, metricsPort: Int = 0
  ) async throws -> Vehicle {
    let state = directory.appendingPathComponent(name).appendingPathComponent("state")
    try FileManager.default.createDirectory(at: state.deletingLastPathComponent(), withIntermediateDirectories: true)
    let identity = try hub.pki.issue(name: name)
    let (path, _) = try uplinkProfile(
      hub: hub, identity: identity, hubPort: port, keysFile: keysFile, state: state, metricsPort: metricsPort,
      batchSize: 20)
    // The most the agent logs: a plate in a debug line would be found below.
    let text = try String(contentsOf: path, encoding: .utf8).replacingOccurrences(
      of: "level: notice", with: "level: debug")
    try text.write(to: path, atomically: true, encoding: .utf8)
    let profile = try DeviceProfile.load(from: path.path)
    let vault = try ReplayRunner.openVault(
      profile: profile, upstreamKeys: try UpstreamKeysFile.read(keysFile.path), logger: logger)
    let key = vault.keyring.deviceKey.publicKey.rawRepresentation
    try vault.close()
    let record = try await hub.service(logger: logger).registerDevice(
      name: name, certificatePath: identity.certificate, signingKey: key)
    return Vehicle(state: state, profilePath: path, profile: profile, device: record.id)
  }

  /// `chalkline replay DUMP --profile P` as the technician runs it (the shipped plate reader);
  /// returns its standard output and error and the summary it wrote.
  func replay(_ vehicle: Vehicle) async throws -> (log: String, summary: [String: Any]) {
    let summaryFile = vehicle.state.deletingLastPathComponent().appendingPathComponent("summary.json")
    let result = try await runOffPool(
      TestPaths.product("chalkline"),
      [
        "replay", PermitStreet.directory.path, "--profile", vehicle.profilePath.path, "--summary-file",
        summaryFile.path,
      ])
    #expect(result.status == 0, "\(result.standardError)")
    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: summaryFile)) as? [String: Any] ?? [:]
    return (result.standardOutput + result.standardError, summary)
  }

  /// `chalkline run` fed by the patrol (the daemon's hidden replay options: the dump stands in
  /// for the camera and gpsd), with its Prometheus metrics on `metricsPort`: once every frame is
  /// read and the outbox is empty, scrapes the metrics and stops it with SIGTERM. Returns the
  /// metrics and its output.
  func run(_ vehicle: Vehicle, metricsPort: Int) async throws -> (metrics: String, log: String) {
    let folder = vehicle.state.deletingLastPathComponent()
    let output = folder.appendingPathComponent("run.log")
    FileManager.default.createFile(atPath: output.path, contents: nil)
    let handle = try FileHandle(forWritingTo: output)
    let process = Process()
    process.executableURL = TestPaths.product("chalkline")
    process.arguments = [
      "run", "--profile", vehicle.profilePath.path, "--replay-dump", PermitStreet.directory.path, "--replay-pace",
      "fast", "--replay-once", "--queue", "5000",
    ]
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    var seen: AgentStatus?
    let done = await eventually(within: 600) {
      guard let status = try? StatusFile.read(in: vehicle.state) else { return false }
      seen = status
      return status.camera.state == "ended" && status.counters.frames == status.camera.framesDelivered
        && status.uplink?.backlog == 0 && status.uplink?.connected == true
    }
    #expect(done, "\(String(describing: seen))")
    let scrape = try await runOffPool(
      URL(fileURLWithPath: "/usr/bin/curl"), ["-sf", "--max-time", "60", "http://127.0.0.1:\(metricsPort)/metrics"])
    #expect(scrape.status == 0)
    process.terminate()
    await withCheckedContinuation { continuation in
      Thread.detachNewThread {
        process.waitUntilExit()
        continuation.resume()
      }
    }
    try handle.close()
    let log = try String(contentsOf: output, encoding: .utf8)
    #expect(process.terminationStatus == 0, "\(log)")
    #expect(seen?.permits?.hasPrefix("hub permits version 2") == true, "\(String(describing: seen?.permits))")
    #expect(seen?.alarms.contains { $0.contains("permit") } == false, "\(String(describing: seen?.alarms))")
    return (scrape.standardOutput, log)
  }

  /// The candidates the hub holds from a vehicle: every reading of each, canonical.
  func candidates(at service: HubService, from device: String) async throws -> [(zone: String, readings: Set<String>)] {
    var all: [ReviewCandidate] = []
    for page in 1... {
      let batch = try await service.reviewCandidates(
        reviewer: "officer", purpose: "citation review", page: page, limit: 50)
      all += batch
      if batch.count < 50 { break }
    }
    return all.filter { $0.device == device }.map {
      ($0.zone, Set(([$0.plateText] + $0.plateAlternatives).map(PlateCanonicalForm.canonical)))
    }
  }

  /// Every permit plate (as exported and canonical) that appears in the clear in `bytes`.
  func permitPlates(in bytes: Data, plates: [String]) -> [String] {
    plates.filter { bytes.range(of: Data($0.utf8)) != nil }
  }

  @Test(
    "a two-pass patrol of real photos on a permit street, its rules and permit list published by the hub as documented: a candidate for every car that stayed without a valid permit R, none for a holder, no permit plate in the clear"
  )
  func permitStreet() async throws {
    let photos = TestPaths.shared.appendingPathComponent("data/plates-us-dev/groundtruth.tsv")
    try #require(FileManager.default.fileExists(atPath: photos.path), "needs ../shared/data/plates-us-dev")
    let street = PermitStreet.directory
    let expected = PermitStreet.expected
    let hubBinary = TestPaths.product("chalkline-hub")
    try await withTemporaryDirectory(prefix: "cl-street") { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"), reviewers: ["officer": "pw"])
      let keysFile = directory.appendingPathComponent("upstream-keys.json")
      try UplinkAPI.encoder().encode(hub.keys.publicKeys).write(to: keysFile)
      let encoder = JSONEncoder()
      encoder.keyEncodingStrategy = .convertToSnakeCase
      let config = hub.directory.appendingPathComponent("hub.json")
      try encoder.encode(hub.configuration).write(to: config)
      let service = try hub.service(logger: logger)
      try await hub.serve(logger: logger) { port in
        // Three vehicles, registered before the lists are published (each list is sealed to them).
        let baseline = try await vehicle("truck-baseline", hub: hub, port: port, keysFile: keysFile, in: directory)
        let shipped = try await vehicle("truck-shipped", hub: hub, port: port, keysFile: keysFile, in: directory)
        let truth = try await vehicle("truck-truth", hub: hub, port: port, keysFile: keysFile, in: directory)
        let metricsPort = try freeLoopbackPort()
        let daemon = try await vehicle(
          "truck-daemon", hub: hub, port: port, keysFile: keysFile, in: directory, metricsPort: metricsPort)

        // The street's rules into the hub's distribution, published (docs/hub.md §3).
        try FileManager.default.copyItem(
          at: street.appendingPathComponent("zones.json"),
          to: URL(fileURLWithPath: hub.configuration.distributionDirectory).appendingPathComponent("zones.json"))
        let published = try await runOffPool(
          hubBinary, ["publish", "--config", config.path, "--purpose", "permit street signs"])
        #expect(published.status == 0, "\(published.standardError)")

        // What the reader finds before any permit lifts a rule: a list without this street's cars.
        func importList(_ file: String) async throws {
          let imported = try await runOffPool(
            hubBinary, ["permits", "import", "--config", config.path, street.appendingPathComponent(file).path])
          #expect(imported.status == 0, "\(imported.standardError)")
          #expect(expected.permitPlates.allSatisfy { !imported.standardOutput.contains($0) })
        }
        try await importList("baseline-permits.csv")
        let (baselineLog, baselineSummary) = try await replay(baseline)
        #expect("\(baselineSummary["rules"] ?? "")".contains("zones hub zones version 1"), "\(baselineLog)")

        // The city's list, as docs/hub.md §3a documents it, while serve runs.
        try await importList("permits.csv")
        let (shippedLog, shippedSummary) = try await replay(shipped)
        #expect("\(shippedSummary["rules"] ?? "")".contains("permits hub permits version 2"), "\(shippedLog)")

        let holders = Set(expected.permitHolders.map(PlateCanonicalForm.canonical))
        let before = try await candidates(at: service, from: baseline.device)
        let after = try await candidates(at: service, from: shipped.device)
        // No holder of a valid permit R is a candidate, under any reading of the plate.
        #expect(after.allSatisfy { $0.readings.isDisjoint(with: holders) }, "\(after)")
        // The permits remove exactly the holders the reader found, and nobody else: the same
        // cars, read the same, minus the holders (a reader's miss is the same in both runs).
        let lifted = before.filter { !$0.readings.isDisjoint(with: holders) }
        #expect(lifted.count == expected.permitHolders.count - 1, "the holder seen once is never a candidate")
        func described(_ list: [(zone: String, readings: Set<String>)]) -> [String] {
          list.map { "\($0.zone) \($0.readings.sorted().joined(separator: "|"))" }.sorted()
        }
        #expect(described(after) == described(before.filter { $0.readings.isDisjoint(with: holders) }))
        // A candidate for each car that stayed without a valid permit R (expired, valid from
        // tomorrow, another area's, none), per face: a car the reader read the same way in both
        // passes is a candidate whatever it read; a reader that misses a car fails here.
        let wanted = Dictionary(grouping: expected.candidates, by: { $0.zone ?? "" }).mapValues(\.count)
        #expect(Dictionary(grouping: after, by: \.zone).mapValues(\.count) == wanted, "\(described(after))")
        #expect(shippedSummary["candidatesByZone"] as? [String: Int] == wanted, "\(shippedLog)")
        // The text of each: the shipped reader misreads some real plates in both passes alike (a
        // reviewer at the hub sees the photos); each misread is listed here as a known issue.
        withKnownIssue("the shipped reader misreads some of the real plates", isIntermittent: true) {
          for car in expected.candidates {
            let canonical = PlateCanonicalForm.canonical(car.plate)
            let found = after.filter { $0.zone == car.zone && $0.readings.contains(canonical) }
            #expect(
              found.count == 1,
              "\(car.car) \(car.plate): not among the readings of the candidates in its zone: \(described(after))")
          }
        }

        // The agent on the road (`chalkline run`), its documents from the last shift's sync:
        // the same candidates as the replay, and its metrics are scanned below.
        let daemonVault = try ReplayRunner.openVault(
          profile: daemon.profile, upstreamKeys: try UpstreamKeysFile.read(keysFile.path), logger: logger)
        let lastShift = try #require(
          try AgentDaemon.makeUplink(profile: daemon.profile, vault: daemonVault, logger: logger))
        _ = try await lastShift.whileOpen { try await $0.refreshDocuments() }
        try daemonVault.close()
        let (metrics, daemonLog) = try await run(daemon, metricsPort: metricsPort)
        #expect(metrics.contains("chalkline_permit_policies_unenforced 0"), "\(metrics)")
        let onTheRoad = try await candidates(at: service, from: daemon.device)
        #expect(described(onTheRoad) == described(after))

        // The same patrol read by the generator's ground truth: the exact set, whatever the reader.
        let vault = try ReplayRunner.openVault(
          profile: truth.profile, upstreamKeys: try UpstreamKeysFile.read(keysFile.path), logger: logger)
        let runner = ReplayRunner(
          profile: truth.profile, dump: street, pace: .fast, reader: try TruthReader(patrol: street), logger: logger)
        let summary = try await runner.run(vault: vault)
        let sync = try #require(try AgentDaemon.makeUplink(profile: truth.profile, vault: vault, logger: logger))
        _ = try await sync.whileOpen { try await $0.syncUntilDrained(maxFailures: 8) }
        try vault.close()
        #expect(
          summary.candidatesByZone
            == Dictionary(grouping: expected.candidates, by: { $0.zone ?? "" }).mapValues(\.count),
          "\(summary.lines.joined(separator: "\n"))")
        #expect((summary.counters.skipped["exempt"] ?? 0) > 0, "the holders were seen and exempted")
        let exact = try await candidates(at: service, from: truth.device)
        #expect(exact.count == expected.candidates.count, "\(described(exact))")
        for car in expected.candidates {
          let found = exact.filter {
            $0.zone == car.zone && $0.readings.contains(PlateCanonicalForm.canonical(car.plate))
          }
          #expect(found.count == 1, "\(car.car) \(car.plate): \(found.count) candidates from the truth")
        }

        // No permit plate in the clear on any vehicle's disk, in their logs or summaries.
        let plates = Array(Set(expected.permitPlates + expected.permitPlates.map(PlateCanonicalForm.canonical)))
        var scanned = 0
        for vehicle in [baseline, shipped, truth, daemon] {
          let folder = vehicle.state.deletingLastPathComponent()
          for case let file as URL in FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)! {
            guard let bytes = try? Data(contentsOf: file) else { continue }
            scanned += 1
            let found = permitPlates(in: bytes, plates: plates)
            #expect(found.isEmpty, "\(found) in the clear in \(file.path)")
          }
        }
        #expect(scanned > 9)
        for log in [baselineLog, shippedLog, daemonLog, metrics] {
          #expect(permitPlates(in: Data(log.utf8), plates: plates).isEmpty, "\(log)")
        }
      }
    }
  }
}
