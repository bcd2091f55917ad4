// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Foundation
import Hub
import HubDevTools
import HubOversight
import Testing

struct OutcomeStatisticsTests {
  @Test func countsPerDeviceAndZone() async throws {
    try await withTemporaryDirectory { directory in
      let year = try HandBuiltYear(in: directory)
      let all = try await OutcomeStatistics.load(from: year.hub.oversight)
      #expect(all.overall.decided == 9)
      #expect(all.overall.pending == 1)
      let a = try #require(all.byDevice.first { $0.label == "truck-a" })
      #expect([a.counts.accepted, a.counts.corrected, a.counts.rejected, a.counts.pending] == [2, 1, 1, 1] as [Int])
      let zone1 = try #require(all.byZone.first { $0.key == "zone-1" })
      #expect([zone1.counts.accepted, zone1.counts.corrected, zone1.counts.pending] == [2, 1, 1] as [Int])
      #expect(all.byZone.map(\.key) == ["zone-1", "zone-2", "zone-3", "zone-9"])
      let year2026 = try await OutcomeStatistics.load(
        from: year.hub.oversight,
        interval: AnnualReport.interval(year: 2026, timeZone: TimeZone(identifier: "America/Los_Angeles")!))
      #expect(year2026.overall.accepted == 4)
      #expect(
        year2026.text.split(separator: "\n").first
          == "group\tname\tpending\taccepted\tcorrected\trejected\tacceptance_rate")
    }
  }

  @Test(arguments: [
    ("misread", RejectionReason.misread), ("Moved", .moved), ("has_permit", .hasPermit), ("permit", .hasPermit),
    ("other", .other), ("plate 7ABC123 was wrong", .other), ("", .other),
  ])
  func reasonsMapToTheFixedList(_ stored: String, _ expected: RejectionReason) {
    #expect(RejectionReason(stored: stored) == expected)
  }
}

struct YearGeneratorTests {
  func generate(in directory: URL, seed: UInt64) async throws -> (YearGenerator.Result, AnnualReport, TestHub) {
    let hub = try TestHub(in: directory)
    let result = try await YearGenerator(year: 2025, seed: seed, candidates: 400, devices: 2, zones: 12).fill(
      hub.oversight)
    let report = try await AnnualReport.build(
      from: hub.oversight, year: 2025, tracts: try CensusTracts(geoJSON: SyntheticTracts.geoJSON))
    return (result, report, hub)
  }

  @Test func generatesAPlausibleYear() async throws {
    try await withTemporaryDirectory { directory in
      let (result, report, hub) = try await generate(in: directory, seed: 7)
      #expect(result.candidates == 400)
      #expect(report.candidates == 400)
      #expect(report.violations == result.violations)
      #expect(report.reads == result.reads)
      #expect(report.accuracy.overall.pending == result.pending)
      #expect(result.pending > 0)
      let rate = try #require(report.accuracy.overall.acceptanceRate)
      #expect(rate > 0.6 && rate < 0.9)
      #expect(report.accuracy.overall.corrected > 0)
      #expect(RejectionReason.allCases.allSatisfy { (report.accuracy.overall.rejectedByReason[$0.rawValue] ?? 0) > 0 })
      #expect(report.tractsWithViolations >= 4)
      #expect(report.devices.count == 2 && report.devices.allSatisfy { $0.daysActive > 250 })
      #expect(try hub.count("SELECT count(*) FROM evidence") == 800)
      #expect(try hub.count("SELECT count(*) FROM review_decision WHERE citation_closed_at IS NOT NULL") > 0)
      await #expect(throws: OversightError.self) {
        try await YearGenerator(year: 2025, seed: 7, candidates: 1).fill(hub.oversight)
      }
    }
  }

  @Test func sameSeedSameYear() async throws {
    try await withTemporaryDirectory { directory in
      let one = directory.appendingPathComponent("one")
      let two = directory.appendingPathComponent("two")
      try FileManager.default.createDirectory(at: one, withIntermediateDirectories: true)
      try FileManager.default.createDirectory(at: two, withIntermediateDirectories: true)
      let (_, a, _) = try await generate(in: one, seed: 11)
      let (_, b, _) = try await generate(in: two, seed: 11)
      #expect(a.tractsCSV == b.tractsCSV)
      #expect(a.accuracyCSV.split(separator: "\r\n").first == b.accuracyCSV.split(separator: "\r\n").first)
      #expect(a.cellsCSV == b.cellsCSV)
    }
  }
}
