// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Crypto
import Foundation
import GRDB
import Hub
import HubDevTools
import HubOversight
import Testing
import Wire

/// A hand-built year 2026: ten candidates of two devices in known tracts, a hole and the
/// detached part of a multipolygon tract, with known outcomes and hourly reads.
struct HandBuiltYear {
  let hub: TestHub

  init(in directory: URL) throws {
    hub = try TestHub(in: directory)
    try hub.addDevice("dev-a", name: "truck-a")
    try hub.addDevice("dev-b", name: "truck-b")
    let nw = (37.350, -121.905)  // tract 5001
    try hub.addCandidate(device: "dev-a", zone: "zone-1", at: nw, time: "2026-03-10T18:00:00.000Z", outcome: "accepted")
    try hub.addCandidate(
      device: "dev-a", zone: "zone-1", at: nw, time: "2026-03-11T18:00:00.000Z", outcome: "corrected", corrected: true)
    try hub.addCandidate(device: "dev-a", zone: "zone-1", at: nw, time: "2026-03-12T18:00:00.000Z")
    // The detached part of tract 5009.
    try hub.addCandidate(
      device: "dev-b", zone: "zone-2", at: (37.333, -121.858), time: "2026-07-01T18:00:00.000Z", outcome: "accepted")
    try hub.addCandidate(
      device: "dev-b", zone: "zone-2", at: (37.334, -121.857), time: "2026-07-01T19:00:00.000Z", outcome: "rejected",
      reason: "misread")
    try hub.addCandidate(
      device: "dev-b", zone: "zone-2", at: (37.332, -121.859), time: "2026-07-02T18:00:00.000Z", outcome: "rejected",
      reason: "driver says \(plantedPlate)")
    // The hole in tract 5005: outside every tract.
    try hub.addCandidate(
      device: "dev-b", zone: "zone-3", at: (37.335, -121.887), time: "2026-05-05T18:00:00.000Z", outcome: "accepted")
    try hub.addCandidate(
      device: "dev-a", zone: "zone-3", at: (37.335, -121.887), time: "2026-05-06T18:00:00.000Z", outcome: "rejected",
      reason: "Has_Permit")
    // 23:00 on 31 December in San José: in 2026. 04:00 on 31 December 2025: not.
    try hub.addCandidate(
      device: "dev-b", zone: "zone-9", at: (37.335, -121.894), time: "2027-01-01T07:00:00.000Z", outcome: "accepted")
    try hub.addCandidate(device: "dev-a", zone: "zone-1", at: nw, time: "2025-12-31T12:00:00.000Z", outcome: "accepted")
    try hub.addZonesDocument(["zone-1": nw])
    try hub.addAggregate(device: "dev-a", hour: "2026-03-10T17:00:00.000Z", area: "zone-1", reads: 100)
    try hub.addAggregate(device: "dev-b", hour: "2026-07-01T17:00:00.000Z", area: "zone-2", reads: 50)
    try hub.addAggregate(
      device: "dev-b", hour: "2026-07-02T17:00:00.000Z", kind: "tract", area: "06085500300", reads: 7)
    try hub.addAggregate(device: "dev-a", hour: "2026-08-01T17:00:00.000Z", area: "zone-unknown", reads: 5)
    try hub.addAggregate(device: "dev-a", hour: "2025-06-01T17:00:00.000Z", area: "zone-1", reads: 1000)
  }

  func report() async throws -> AnnualReport {
    try await AnnualReport.build(
      from: hub.oversight, year: 2026, tracts: try CensusTracts(geoJSON: SyntheticTracts.geoJSON))
  }
}

struct AnnualReportTests {
  @Test func countsViolationsByTract() async throws {
    try await withTemporaryDirectory { directory in
      let report = try await HandBuiltYear(in: directory).report()
      let rows = Dictionary(uniqueKeysWithValues: report.tracts.map { ($0.geoid, $0) })
      #expect(rows["06085500100"]?.violations == 2)
      #expect(rows["06085500100"]?.candidates == 3)
      #expect(rows["06085500100"]?.reads == 100)
      #expect(rows["06085500900"]?.violations == 1)
      #expect(rows["06085500900"]?.rejected == 2)
      #expect(rows["06085500900"]?.reads == 50)
      #expect(rows["06085500500"]?.violations == 1)
      #expect(rows["06085500300"]?.reads == 7)
      #expect(rows["outside"]?.violations == 1)
      #expect(rows["outside"]?.candidates == 2)
      #expect(report.tracts.count == 10)
      #expect(report.tracts.map(\.violations).reduce(0, +) == 5)
      #expect(report.tractsWithViolations == 3)
      #expect(report.candidates == 9)
      #expect(report.violations == 5)
      #expect(report.reads == 162)
      #expect(report.unplacedReads == 5)
      #expect(report.violationsByMonth == [0, 0, 2, 0, 1, 0, 1, 0, 0, 0, 0, 1])
      #expect(report.readsByMonth == [0, 0, 100, 0, 0, 0, 57, 5, 0, 0, 0, 0])
      #expect(report.zonesPlacedBy[.zonesDocument] == 1)
      #expect(report.zonesPlacedBy[.candidates] == 3)
    }
  }

  @Test func accuracyAndDeviceUsage() async throws {
    try await withTemporaryDirectory { directory in
      let report = try await HandBuiltYear(in: directory).report()
      let overall = report.accuracy.overall
      #expect([overall.accepted, overall.corrected, overall.rejected, overall.pending] == [4, 1, 3, 1] as [Int])
      #expect(overall.acceptanceRate == 5.0 / 8.0)
      #expect(overall.rejectedByReason == ["misread": 1, "has permit": 1, "other": 1])
      let b = try #require(report.devices.first { $0.name == "truck-b" })
      #expect([b.candidates, b.violations, b.reads, b.daysActive] == [5, 3, 57, 4] as [Int])
      let a = try #require(report.devices.first { $0.name == "truck-a" })
      #expect([a.candidates, a.violations, a.reads] == [4, 2, 105] as [Int])
      let zone2 = try #require(report.accuracy.byZone.first { $0.key == "zone-2" })
      #expect([zone2.counts.accepted, zone2.counts.rejected] == [1, 2] as [Int])
      let cell = try #require(
        report.cells.first { $0.cell == ReadGrid().cell(for: GeoPoint(latitude: 37.350, longitude: -121.905)) })
      #expect([cell.reads, cell.candidates, cell.violations] == [100, 3, 2] as [Int])
    }
  }

  @Test func writesCSVFiles() async throws {
    try await withTemporaryDirectory { directory in
      let report = try await HandBuiltYear(in: directory).report()
      let out = directory.appendingPathComponent("out")
      try report.write(to: out)
      let files = try contents(of: out)
      #expect(
        Set(files.keys) == [
          "report.html", "violations_by_tract.csv", "reads_by_cell.csv", "by_month.csv", "accuracy.csv",
          "device_usage.csv",
        ])
      let tracts = try #require(files["violations_by_tract.csv"]).components(separatedBy: "\r\n")
      #expect(tracts.first == "geoid,name,violations,candidates,rejected,reads")
      #expect(tracts.contains("06085500100,Census Tract 5001,2,3,0,100"))
      #expect(tracts.contains("06085500900,Census Tract 5009,1,3,2,50"))
      #expect(tracts.contains("outside,Outside every tract,1,2,1,0"))
      let accuracy = try #require(files["accuracy.csv"]).components(separatedBy: "\r\n")
      #expect(
        accuracy.first
          == "group,key,name,pending,accepted,corrected,rejected,rejected_misread,rejected_moved,rejected_has_permit,"
          + "rejected_other,acceptance_rate")
      #expect(accuracy.contains("all,all,all,1,4,1,3,1,0,1,1,0.6250"))
      #expect(accuracy.contains("device,dev-b,truck-b,0,3,0,2,1,0,0,1,0.6000"))
      let cells = try #require(files["reads_by_cell.csv"]).components(separatedBy: "\r\n").filter { !$0.isEmpty }
      #expect(cells.first == "cell,south,west,north,east,reads,candidates,violations,violation")
      #expect(cells.dropFirst().allSatisfy { $0.hasSuffix(",yes") || $0.hasSuffix(",no") })
      #expect(cells.contains { $0.hasSuffix(",100,3,2,yes") })
      #expect(cells.contains { $0.hasSuffix(",0,1,0,no") })
      #expect(try #require(files["device_usage.csv"]).contains("dev-b,truck-b,4,57,5,3\r\n"))
      #expect(try #require(files["by_month.csv"]).contains("2026-03,2,100\r\n"))
    }
  }

  @Test func htmlHasChartAndPlotAndNothingExternal() async throws {
    try await withTemporaryDirectory { directory in
      let html = try await HandBuiltYear(in: directory).report().html
      #expect(html.contains("<svg id=\"violations-by-month\""))
      #expect(html.contains("<svg id=\"violations-by-tract\""))
      #expect(html.contains("<svg id=\"tract-map\""))
      #expect(html.components(separatedBy: "class=\"bar\"").count - 1 == 12 + 10)
      #expect(html.components(separatedBy: "class=\"tract\"").count - 1 == 9)
      #expect(html.contains("class=\"cell\""))
      #expect(html.components(separatedBy: "class=\"violation\"").count - 1 >= 3)
      #expect(html.contains("Census Tract 5001"))
      #expect(!html.contains("<script"))
      #expect(!html.contains("src="))
      #expect(!html.contains("href="))
      #expect(!html.contains("<link"))
    }
  }

  @Test func noPlateTextInAnyOutput() async throws {
    try await withTemporaryDirectory { directory in
      let year = try HandBuiltYear(in: directory)
      let report = try await year.report()
      let out = directory.appendingPathComponent("out")
      try report.write(to: out)
      let outcomes = try await OutcomeStatistics.load(from: year.hub.oversight)
      for (name, text) in try contents(of: out) {
        #expect(!text.contains(plantedPlate), "\(name) holds the planted plate")
      }
      #expect(!outcomes.text.contains(plantedPlate))
      #expect(!String(decoding: try JSONEncoder().encode(outcomes), as: UTF8.self).contains(plantedPlate))
    }
  }

  /// Candidates ingested the hub's way (signed, sealed, with plate digests in the manifest): no
  /// plate text, plate digest or candidate id reaches the report.
  @Test func ingestedCandidatesLeaveNoPlateDerivedValue() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try TestHub(in: directory)
      let keys = try HubKeys.create(in: directory.appendingPathComponent("keys").path)
      let synthetic = SyntheticCandidates(deviceKey: keys.signing, hubKey: keys.hpke.publicKey)
      try await hub.storage.addDevice(
        DeviceRecord(
          id: synthetic.deviceID, name: "truck-s", certificateSHA256: "c", signingKey: Data(),
          registeredAt: Date(timeIntervalSince1970: 0)))
      let wires = try (0..<3).map { try synthetic.make(plate: plantedPlate, index: $0) }
      let verified = try wires.map {
        VerifiedCandidate(wire: $0, manifest: try WireManifest.decode($0.manifest), deviceID: synthetic.deviceID)
      }
      _ = try await hub.storage.ingest(verified, receivedAt: Date())
      try await hub.raw.write { db in
        try db.execute(
          sql: """
            INSERT INTO review_decision (candidate_id, outcome, reason, corrected_text, reviewer, decided_at)
            SELECT id, 'corrected', '', ?, 'officer1', 0 FROM candidate
            """, arguments: [Data(plantedPlate.utf8)])
      }
      let report = try await AnnualReport.build(
        from: hub.oversight, year: 2026, tracts: try CensusTracts(geoJSON: SyntheticTracts.geoJSON))
      #expect(report.violations == 3)
      let out = directory.appendingPathComponent("out")
      try report.write(to: out)
      let forbidden =
        [plantedPlate] + wires.map(\.id.uuidString)
        + verified.flatMap { $0.manifest.sightings.flatMap { [$0.plateSha256, $0.vehicleSha256, $0.sealedSha256] } }
      for (name, text) in try contents(of: out) {
        for value in forbidden { #expect(!text.lowercased().contains(value.lowercased()), "\(name) holds \(value)") }
      }
    }
  }
}
