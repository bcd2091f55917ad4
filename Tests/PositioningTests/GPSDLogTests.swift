// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import ChalklineTestKit
import Foundation
import Testing

@testable import Positioning

@Suite("gpsd JSON logs")
struct GPSDLogTests {
  @Test func readsCheckFileSkippingNMEAAndCountingIt() throws {
    let url = try #require(GPSDTestData.gpsLog("garmin15x.log.chk"), "shared/data/gps is missing")
    let text = try String(contentsOf: url, encoding: .utf8)
    let lines = text.split(whereSeparator: \.isNewline)
    let log = try GPSDLog(contentsOf: url)
    #expect(log.malformedLines == lines.filter { !$0.hasPrefix("{") }.count)
    #expect(log.reports.count == lines.filter { $0.hasPrefix("{") }.count)
    let tpvs = log.reports.filter { if case .tpv = $0.report { true } else { false } }
    #expect(tpvs.count == lines.filter { $0.contains(#""class":"TPV""#) }.count)
    // One fix per epoch, in time order.
    let times = log.fixes.map(\.time)
    #expect(times == times.sorted() && Set(times).count == times.count)
  }

  struct Line: Sendable, CustomTestStringConvertible {
    var name: String
    var text: String
    var report: GPSDReport?
    var testDescription: String { name }
  }

  static let t = Date(timeIntervalSince1970: 1_772_442_000.5)

  static let lines: [Line] = [
    Line(
      name: "TPV with fields newer gpsd adds",
      text: #"{"class":"TPV","device":"/dev/ttyACM0","mode":3,"time":"2026-03-02T09:00:00.500Z","leapseconds":18,"#
        + #""lat":-33.5,"lon":-70.25,"altHAE":10.0,"altMSL":5.5,"eph":4.2,"speed":3.1,"track":359.9,"wanglem":1.0}"#,
      report: .tpv(
        Fix(
          time: t, mode: .threeD, position: GeoPosition(latitude: -33.5, longitude: -70.25), altitude: 5.5, eph: 4.2,
          speed: 3.1, track: 359.9), device: "/dev/ttyACM0")),
    Line(
      name: "TPV without a fix",
      text: #"{"class":"TPV","mode":1,"time":"2026-03-02T09:00:00.500Z","ept":0.005}"#,
      report: .tpv(Fix(time: t, mode: .noFix, position: nil), device: nil)),
    Line(
      name: "TPV claiming 3D without coordinates is no fix",
      text: #"{"class":"TPV","mode":3,"time":"2026-03-02T09:00:00.500Z"}"#,
      report: .tpv(Fix(time: t, mode: .noFix, position: nil), device: nil)),
    Line(name: "TPV without time", text: #"{"class":"TPV","mode":1}"#, report: .tpv(nil, device: nil)),
    Line(
      name: "SKY", text: #"{"class":"SKY","nSat":12,"uSat":7}"#, report: .sky(satellitesSeen: 12, satellitesUsed: 7)),
    Line(name: "unknown class", text: #"{"class":"TOFF","sec":1}"#, report: .other(className: "TOFF")),
    Line(
      name: "NMEA", text: "$GPGGA,143444.28,4629.8972306,N,00734.0447003,E,1,00,,1344.99,M,45.590,M,,*49", report: nil),
    Line(name: "truncated object", text: #"{"class":"TPV","mode":3,"time":"2026-03-0"#, report: nil),
    Line(name: "object without class", text: #"{"mode":3}"#, report: nil),
    Line(name: "array", text: "[1,2]", report: nil),
  ]

  @Test(arguments: lines)
  func decodesOneLine(_ line: Line) {
    #expect(GPSDReport.decode(line: line.text) == line.report)
  }

  @Test func writerRoundTripsAndReaderCountsDamage() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gps-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let url = directory.appendingPathComponent("gps.jsonl")
    let fixes = (0..<5).map { i in
      Fix(
        time: Self.t.addingTimeInterval(Double(i)), mode: .threeD,
        position: GeoPosition(latitude: -12.04 - Double(i) * 1e-5, longitude: -77.03), altitude: 150.25, eph: 6.5,
        epx: 4, epy: 5, speed: 1.25, track: 270)
    }
    let writer = try GPSDLogWriter(url: url)
    try writer.write(line: #"{"class":"VERSION","release":"3.22"}"#)
    for fix in fixes { try writer.write(fix) }
    try writer.write(line: #"{"class":"SKY","nSat":"#)
    try writer.close()
    let log = try GPSDLog(contentsOf: url)
    #expect(log.malformedLines == 1)
    #expect(log.firstMalformedLine == 7)
    #expect(log.fixes.count == fixes.count)
    for (got, want) in zip(log.fixes, fixes) {
      #expect(abs(got.time.timeIntervalSince(want.time)) < 1e-6)
      #expect(got.position.map { $0.distance(to: want.position!) < 1e-3 } == true)
      #expect(got.mode == want.mode && got.altitude == want.altitude && got.eph == want.eph && got.epx == want.epx)
      #expect(got.epy == want.epy && got.speed == want.speed && got.track == want.track)
    }
    let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
    #expect(lines.count == 7)
    #expect(lines[1].hasPrefix(#"{"class":"TPV","mode":3,"time":"2026-03-02T09:00:00.500Z","lat":-12.040000000"#))
  }

  @Test func missingLogIsAnErrorNamingTheFile() {
    #expect(throws: PositioningError.self) { try GPSDLog(contentsOf: URL(fileURLWithPath: "/nonexistent/gps.jsonl")) }
  }

  @Test(arguments: [
    ("2026-03-02T09:00:00.000Z", 1_772_442_000.0), ("2026-03-02T09:00:00Z", 1_772_442_000.0),
    ("2005-06-09T14:34:44.280Z", 1_118_327_684.28), ("1999-12-31T23:59:59.999Z", 946_684_799.999),
  ])
  func parsesTimes(text: String, seconds: Double) throws {
    let date = try #require(UTCTime.parse(text))
    #expect(abs(date.timeIntervalSince1970 - seconds) < 1e-6)
  }

  @Test(arguments: ["", "2026-03-02 09:00:00Z", "2026-13-02T09:00:00.000Z", "2026-03-02T09:00:00.000", "garbage"])
  func refusesBadTimes(text: String) {
    #expect(UTCTime.parse(text) == nil)
  }

  @Test func formatsTimesLikeGPSD() {
    #expect(UTCTime.format(Date(timeIntervalSince1970: 1_772_442_000.5)) == "2026-03-02T09:00:00.500Z")
    #expect(UTCTime.format(Date(timeIntervalSince1970: -0.25)) == "1969-12-31T23:59:59.750Z")
  }

  @Test func mergerGivesOneFixPerEpoch() {
    let t0 = Date(timeIntervalSince1970: 1_000)
    let p = GeoPosition(latitude: 1, longitude: 2)
    var merger = EpochMerger()
    var out: [Fix] = []
    let reports = [
      Fix(time: t0, mode: .twoD, position: p, speed: 3, track: 10),
      Fix(time: t0, mode: .threeD, position: p, altitude: 7, eph: 5),
      Fix(time: t0.addingTimeInterval(1), mode: .twoD, position: p),
      Fix(time: t0, mode: .threeD, position: p),  // late repeat of an epoch already handed out
    ]
    for r in reports { if let f = merger.add(r) { out.append(f) } }
    if let f = merger.flush() { out.append(f) }
    #expect(out.count == 2)
    #expect(out[0] == Fix(time: t0, mode: .threeD, position: p, altitude: 7, eph: 5, speed: 3, track: 10))
    #expect(out[1].time == t0.addingTimeInterval(1))
  }
}
