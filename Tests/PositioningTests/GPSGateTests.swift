// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Foundation
import Testing

@testable import Positioning

/// The default quality gate and the date check, against real receivers through a real gpsd.
@Suite("GPS quality gate and clock sanity", .serialized)
struct GPSGateTests {
  static let p = GeoPosition(latitude: 37, longitude: -122)
  static let now = FixClockCheck.releaseFloor.addingTimeInterval(30 * 86_400)

  @Test("epx/epy (the receiver's own figures when it sends GST) win over eph (gpsd's HDOP model)")
  func errorCombination() {
    // u-blox ZED-F9P through gpsd 3.22: eph 12.7 m from HDOP, epx/epy 3.0/3.0 from GST.
    let f9p = Fix(time: Self.now, mode: .threeD, position: Self.p, eph: 12.7, epx: 3, epy: 3)
    #expect(abs((f9p.horizontalError ?? 0) - 18.squareRoot()) < 1e-9)
    #expect(Fix(time: Self.now, mode: .threeD, position: Self.p, eph: 17.1).horizontalError == 17.1)
    #expect(Fix(time: Self.now, mode: .threeD, position: Self.p, eph: 17.1, epx: 10).horizontalError == 17.1)
  }

  @Test("the default gate: 50 m, a 95 % radius; past it refused with the reason")
  func defaultGate() {
    let gate = FixQuality()
    #expect(gate.maxEph == 50)
    let bu303 = Fix(time: Self.now, mode: .threeD, position: Self.p, eph: 60.8, epx: 25.5, epy: 25.5)
    #expect(gate.verdictIgnoringAge(for: bu303) == .usable)
    let lost = Fix(time: Self.now, mode: .threeD, position: Self.p, eph: 80)
    #expect(gate.verdictIgnoringAge(for: lost).reason == "too_uncertain")
    #expect(gate.verdictIgnoringAge(for: Fix(time: Self.now, mode: .noFix, position: nil)).reason == "no_fix")
    #expect(gate.verdict(for: bu303, at: Self.now.addingTimeInterval(5)).reason == "too_old")
  }

  struct ClockCase: Sendable, CustomTestStringConvertible {
    var name: String
    var fix: Date
    var system: Date
    var problem: String?
    var testDescription: String { name }
  }

  static let clockCases: [ClockCase] = [
    ClockCase(
      name: "a fix a second off a good system clock", fix: now, system: now.addingTimeInterval(1), problem: nil),
    ClockCase(
      name: "a fix 1024 weeks back (1990s rollover)", fix: now.addingTimeInterval(-FixClockCheck.gpsEra), system: now,
      problem: "is before"),
    ClockCase(
      name: "a fix dated 2041 by gpsd 3.22's rollover", fix: Date(timeIntervalSince1970: 2_240_000_000), system: now,
      problem: "ahead of the system clock"),
    ClockCase(
      name: "a fix from a looped log climbing to 4279", fix: Date(timeIntervalSince1970: 72_000_000_000),
      system: Date(timeIntervalSince1970: 0), problem: "more than 1024 weeks after"),
    ClockCase(
      name: "a system clock at 1970 (no RTC): a current fix is still taken", fix: now,
      system: Date(timeIntervalSince1970: 0), problem: nil),
    ClockCase(
      name: "a fix two days ahead of a plausible system clock", fix: now.addingTimeInterval(2 * 86_400), system: now,
      problem: "2.0 days ahead of the system clock"),
    ClockCase(
      name: "bu303's 2005 log, dated 2025 by gpsd 3.22", fix: Date(timeIntervalSince1970: 1_740_000_000), system: now,
      problem: "is before"),
  ]

  @Test("clock sanity", arguments: clockCases)
  func clockSanity(_ c: ClockCase) {
    let fix = Fix(time: c.fix, mode: .threeD, position: Self.p, eph: 5)
    let problem = FixClockCheck().problem(with: fix, systemTime: c.system)
    if let expected = c.problem {
      #expect(problem?.contains(expected) == true, "\(problem ?? "nil")")
    } else {
      #expect(problem == nil)
    }
  }

  static let logsWith3D = [
    "bu303-moving", "bu303-stillfix", "garmin15x", "ublox-zed-f9p-nmea", "ublox-neo-m9n-nmea", "quectel-l76k-nmea",
  ]

  @Test("every shared log with 3D fixes gives usable fixes under the default gate", arguments: logsWith3D)
  func sharedLogsPassTheDefaultGate(name: String) async throws {
    let log = try #require(GPSDTestData.gpsLog("\(name).log"), "shared/data/gps is missing")
    let feeder = try GPSDFeeder(log: log)
    let run = try await withGPSD(feeder: feeder) { gpsd in try await ClientRun.collect(port: gpsd.port, feeder: feeder)
    }
    let gate = FixQuality()
    let threeD = run.fixes.filter { $0.mode == .threeD }
    try #require(!threeD.isEmpty)
    let refused = threeD.map { gate.verdictIgnoringAge(for: $0) }.filter { !$0.isUsable }
    #expect(refused.isEmpty, "\(name): \(refused.prefix(3))")
    let worst = threeD.compactMap(\.horizontalError).max() ?? 0
    #expect(worst <= 50, "\(name): worst 95 % radius \(worst) m")
    // These logs are from 2005 to 2026; against a live clock the older dates are refused (never chalked on).
    let dated = threeD.map { FixClockCheck().problem(with: $0, systemTime: $0.time) }
    if threeD.allSatisfy({ $0.time < FixClockCheck.releaseFloor }) { #expect(dated.allSatisfy { $0 != nil }) }
  }

  @Test("the no-fix log: every report refused as no fix, counted")
  func noFixLogIsRefusedWithItsReason() async throws {
    let log = try #require(GPSDTestData.gpsLog("bu303-nofix.log"), "shared/data/gps is missing")
    let feeder = try GPSDFeeder(log: log)
    let run = try await withGPSD(feeder: feeder) { gpsd in try await ClientRun.collect(port: gpsd.port, feeder: feeder)
    }
    let reasons = Set(run.fixes.map { FixQuality().verdictIgnoringAge(for: $0).reason })
    #expect(reasons.isSubset(of: ["no_fix"]), "\(reasons)")
  }

  /// Runs `chalkline gps ARGS` against a real gpsd fed `log`; returns its exit status and standard error.
  static func chalklineGPS(log name: String, _ arguments: [String]) async throws -> (Int32, String) {
    let log = try #require(GPSDTestData.gpsLog(name), "shared/data/gps is missing")
    let feeder = try GPSDFeeder(log: log, interval: 0.01)
    return try await withGPSD(feeder: feeder) { gpsd in
      let process = Process()
      process.executableURL = TestPaths.product("chalkline")
      process.arguments = ["gps", "--port", "\(gpsd.port)"] + arguments
      let errors = Pipe()
      process.standardError = errors
      process.standardOutput = FileHandle.nullDevice
      try process.run()
      // The feed starts once the command says gpsd is connected (gpsd does not replay what a late
      // watcher missed), read on a thread of its own: a read of the pipe blocks.
      let reader = errors.fileHandleForReading
      let early = try await offPool { () -> Data in
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("gpsd connected") {
          let chunk = reader.availableData
          if chunk.isEmpty { break }
          seen.append(chunk)
        }
        return seen
      }
      feeder.release()
      let rest = try await offPool { reader.readDataToEndOfFile() }
      process.waitUntilExit()
      return (process.terminationStatus, String(decoding: early + rest, as: UTF8.self))
    }
  }

  @Test("chalkline gps --timeout on a receiver without a fix ends with a verdict, exit 1")
  func timeoutWithoutFix() async throws {
    let (status, errors) = try await Self.chalklineGPS(log: "bu303-nofix.log", ["--count", "5", "--timeout", "4s"])
    #expect(status == 1)
    let verdict = try #require(errors.split(separator: "\n").last.map(String.init))
    #expect(verdict.hasPrefix("gps: no usable fix in 4 s: "), "\(errors)")
    #expect(verdict.contains("without a position") || verdict.contains("no fix from the receiver"), "\(verdict)")
  }

  @Test("chalkline gps --timeout with too tight a limit names the error estimate and the limit")
  func timeoutTooUncertain() async throws {
    let (status, errors) = try await Self.chalklineGPS(
      log: "quectel-l76k-nmea.log", ["--count", "5", "--timeout", "4s", "--max-eph", "10"])
    #expect(status == 1)
    let verdict = try #require(errors.split(separator: "\n").last.map(String.init))
    #expect(verdict.hasPrefix("gps: no usable fix in 4 s: "), "\(errors)")
    #expect(verdict.contains("with error estimate 14."), "\(verdict)")
    #expect(verdict.contains("> 10 m"), "\(verdict)")
  }
}
