// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Foundation
import Logging
import Testing

@testable import Agent
@testable import ChalklineBench

/// How the patrol figures count each candidate against a generated patrol's truth.
@Suite("Patrol benchmark scoring")
struct PatrolBenchmarkTests {
  static let expected = PatrolBenchmark.Expected(
    candidates: [.init(plate: "7ABC123", zone: "A"), .init(plate: "HL0KTY1", zone: "B")],
    notCandidates: [
      .init(plate: "5XYZ987", kind: "left"), .init(plate: "8DEF456", kind: "moved"),
      .init(plate: "6GHJ321", kind: "outside_hours"),
    ])

  @Test(
    arguments: [
      // (candidates as text and zone, found, false by kind, wrong text, wrong zone, duplicates)
      ([("7ABC123", "A")], 1, [:], 0, 0, 0),
      ([("HLOKTY1", "B")], 1, [:], 0, 0, 0),  // the letter O read for the truth's 0: the same text
      ([("7ABC123", "A"), ("7ABC123", "A")], 1, [:], 0, 0, 1),
      ([("7ABC123", "B")], 0, [:], 0, 1, 0),
      ([("7A8C123", "A")], 0, [:], 1, 0, 0),
      (
        [("5XYZ987", "A"), ("8DEF456", "B"), ("6GHJ321", "A")], 0, ["left": 1, "moved": 1, "outside_hours": 1], 0, 0, 0
      ),
      ([("7ABC123", "A"), ("HL0KTY1", "B"), ("5XYZ987", "A")], 2, ["left": 1], 0, 0, 0),
    ] as [([(String, String)], Int, [String: Int], Int, Int, Int)])
  func countsEachCandidate(
    candidates: [(String, String)], found: Int, falseByKind: [String: Int], wrongText: Int, wrongZone: Int,
    duplicates: Int
  ) {
    let score = PatrolBenchmark.score(
      candidates.map { (text: $0.0, zone: $0.1, confidence: 0.9) }, expected: Self.expected)
    #expect(score.expected == 2)
    #expect(score.found == found)
    #expect(score.falseByKind == falseByKind)
    #expect(score.wrongText == wrongText)
    #expect(score.wrongZone == wrongZone)
    #expect(score.duplicates == duplicates)
    #expect(score.falseCandidates == falseByKind.values.reduce(0, +) + wrongText + wrongZone + duplicates)
    #expect(abs(score.recall - Double(found) / 2) < 1e-12)
    #expect(score.foundConfidences.count == found)
    #expect(score.falseConfidences.count == score.falseCandidates)
  }
}

/// The patrol figure of `make bench` on the generator's patrol of real photos: read by the
/// ground truth, every expected candidate is found, so the figure measures reading and nothing
/// else — the rules a permit would lift (the shipped 100 block's) apply to its cars.
@Suite("Patrol benchmark on a patrol of real photos")
struct PatrolBenchmarkRealPhotosTests {
  @Test("read by the ground truth, the bench finds every expected candidate, none skipped for want of a permit list")
  func groundTruthFindsEveryCandidate() async throws {
    try await withTemporaryDirectory(prefix: "cl-bench-patrol") { directory in
      let patrol = directory.appendingPathComponent("patrol")
      let result = try runCommand(
        URL(fileURLWithPath: "/usr/bin/python3"),
        [
          TestPaths.packageRoot.appendingPathComponent("tools/patrol/generate.py").path, "--out", patrol.path,
          "--real-photos", TestPaths.shared.appendingPathComponent("data/plates-us-dev").path,
        ])
      try #require(result.status == 0, "\(result.standardError)")
      let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .error, journal: false) }
      let profile = try DeviceProfile.load(
        from: TestPaths.packageRoot.appendingPathComponent("device-profiles/replay-default.yaml").path)
      let (summary, score) = try await PatrolBenchmark.run(
        profile: profile, dump: patrol, scratch: directory.appendingPathComponent("scratch"),
        reader: try TruthReader(patrol: patrol), logger: logger)
      #expect(score.expected > 0)
      #expect(score.found == score.expected, "\(summary.lines.joined(separator: "\n"))")
      #expect(score.falseCandidates == 0)
      #expect(summary.counters.skipped["no verified permit list"] == nil)
    }
  }
}
