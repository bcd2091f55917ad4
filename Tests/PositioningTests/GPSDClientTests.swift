// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import ChalklineTestKit
import Foundation
import Logging
import Testing

@testable import Positioning

/// The client against a real gpsd fed with real receiver logs.
@Suite("gpsd client with a real gpsd")
struct GPSDClientTests {
  static let logsWithFixes = [
    "bu303-moving", "bu303-stillfix", "garmin15x", "ublox-zed-f9p-nmea", "ublox-neo-m9n-nmea", "quectel-l76k-nmea",
  ]

  @Test("the client sees the fixes of the .chk file", arguments: logsWithFixes)
  func fixesMatchCheckFile(name: String) async throws {
    let log = try #require(GPSDTestData.gpsLog("\(name).log"), "shared/data/gps is missing")
    let check = try GPSDLog(contentsOf: try #require(GPSDTestData.gpsLog("\(name).log.chk")))
    let expected = Dictionary(
      check.fixes.filter { $0.mode >= .twoD }.map { (TimeOfDay($0.time), $0) }, uniquingKeysWith: { $1 })
    try #require(!expected.isEmpty)

    let feeder = try GPSDFeeder(log: log)
    let run = try await withGPSD(feeder: feeder) { gpsd in
      try await ClientRun.collect(port: gpsd.port, feeder: feeder)
    }
    let seen = run.fixes.filter { $0.mode >= .twoD }
    // De-duplicated: one fix per epoch.
    #expect(Set(seen.map(\.time)).count == seen.count)
    var matched = 0
    var misplaced: [String] = []
    for fix in seen {
      // gpsd 3.22 and the newer gpsd that wrote the .chk files resolve old receivers' dates differently (GPS week
      // rollover), so epochs are matched on time of day.
      guard let want = expected[TimeOfDay(fix.time)] else { continue }
      matched += 1
      let (got, ref) = (try #require(fix.position), try #require(want.position))
      if abs(got.latitude - ref.latitude) > 1e-6 || abs(got.longitude - ref.longitude) > 1e-6 {
        misplaced.append("\(UTCTime.format(fix.time)): \(got) vs \(ref)")
      }
    }
    #expect(misplaced.isEmpty, "fixes at other positions than the .chk: \(misplaced.prefix(3))")
    // Lenient: a newer gpsd may report an epoch or two more at the start of a log.
    #expect(Double(matched) >= 0.9 * Double(expected.count), "matched \(matched) of \(expected.count) epochs")
    #expect(run.states.first == .noFix)
    // Each change of state is reported once.
    #expect(zip(run.states, run.states.dropFirst()).allSatisfy { $0 != $1 }, "\(run.states)")
  }

  @Test("a recording of gpsd's lines replays to the fixes the live client saw")
  func recordingReplaysLikeLive() async throws {
    let log = try #require(GPSDTestData.gpsLog("garmin15x.log"), "shared/data/gps is missing")
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gps-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("gps.jsonl")
    let feeder = try GPSDFeeder(log: log)
    let run = try await withGPSD(feeder: feeder) { gpsd in
      try await ClientRun.collect(port: gpsd.port, feeder: feeder)
    }
    let writer = try GPSDLogWriter(url: url)
    for line in run.lines { try writer.write(line: line) }
    try writer.close()
    let replayed = try GPSDLog(contentsOf: url)
    #expect(replayed.malformedLines == 0)
    #expect(!run.fixes.isEmpty)
    #expect(replayed.fixes.map(\.time) == run.fixes.map(\.time))
    #expect(replayed.fixes.map(\.position) == run.fixes.map(\.position))
  }

  @Test(
    "gpsfake (the pseudo-terminal path) delivers the log's fixes", .enabled(if: GPSDFake.executable != nil))
  func throughGPSFake() async throws {
    let name = "ublox-neo-m9n-nmea"
    let log = try #require(GPSDTestData.gpsLog("\(name).log"), "shared/data/gps is missing")
    let check = try GPSDLog(contentsOf: try #require(GPSDTestData.gpsLog("\(name).log.chk")))
    let expected = Dictionary(
      check.fixes.filter { $0.mode >= .twoD }.map { (TimeOfDay($0.time), $0) }, uniquingKeysWith: { $1 })
    let fake = try GPSDFake(log: log, cycle: 0.002)
    defer { fake.stop() }
    let client = GPSDClient(configuration: .init(port: fake.port), logger: Logger(label: "test.gpsfake"))
    var matched = 0
    for await event in client.events() {
      guard case .fix(let fix) = event, let want = expected[TimeOfDay(fix.time)] else { continue }
      let (got, ref) = (try #require(fix.position), try #require(want.position))
      #expect(abs(got.latitude - ref.latitude) < 1e-6 && abs(got.longitude - ref.longitude) < 1e-6)
      matched += 1
      // gpsfake starts feeding before any client watches, so the first epochs may be missed; ten are plenty.
      if matched == 10 { break }
    }
    #expect(matched == 10)
  }

  @Test("the no-fix log gives no usable fix")
  func noFixLog() async throws {
    let log = try #require(GPSDTestData.gpsLog("bu303-nofix.log"), "shared/data/gps is missing")
    let feeder = try GPSDFeeder(log: log)
    let run = try await withGPSD(feeder: feeder) { gpsd in
      try await ClientRun.collect(port: gpsd.port, feeder: feeder)
    }
    let quality = FixQuality(maxEph: 1_000, maxAge: .infinity)
    #expect(run.fixes.allSatisfy { !quality.verdict(for: $0, at: $0.time).isUsable })
    #expect(!run.states.contains(.fix2D) && !run.states.contains(.fix3D))
    #expect(run.states.contains(.noFix))
  }
}

/// A time of day to the millisecond, to match epochs whose dates differ.
struct TimeOfDay: Hashable {
  var milliseconds: Int64
  init(_ date: Date) {
    milliseconds = Int64((date.timeIntervalSince1970 * 1_000).rounded()) % 86_400_000
  }
}
