// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Logging
import Testing

@testable import Positioning

@Suite("fix quality and GPS clock")
struct FixQualityTests {
  static let t0 = Date(timeIntervalSince1970: 1_772_442_000)
  static let p = GeoPosition(latitude: 37, longitude: -122)

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var fix: Fix
    var age: TimeInterval
    var verdict: FixQuality.Verdict
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "3D, precise, fresh", fix: Fix(time: t0, mode: .threeD, position: p, eph: 5), age: 0.5, verdict: .usable),
    Case(name: "2D is enough", fix: Fix(time: t0, mode: .twoD, position: p, eph: 5), age: 0, verdict: .usable),
    Case(name: "mode 1", fix: Fix(time: t0, mode: .noFix, position: nil), age: 0, verdict: .noFix),
    Case(name: "eph at the limit", fix: Fix(time: t0, mode: .threeD, position: p, eph: 15), age: 0, verdict: .usable),
    Case(
      name: "eph over the limit", fix: Fix(time: t0, mode: .threeD, position: p, eph: 15.1), age: 0,
      verdict: .tooUncertain(eph: 15.1)),
    Case(
      name: "epx/epy when eph is missing", fix: Fix(time: t0, mode: .threeD, position: p, epx: 9, epy: 12), age: 0,
      verdict: .usable),
    Case(
      name: "epx/epy too large", fix: Fix(time: t0, mode: .threeD, position: p, epx: 12, epy: 16), age: 0,
      verdict: .tooUncertain(eph: 20)),
    Case(name: "no error estimate", fix: Fix(time: t0, mode: .threeD, position: p), age: 0, verdict: .noErrorEstimate),
    Case(name: "too old", fix: Fix(time: t0, mode: .threeD, position: p, eph: 5), age: 2.5, verdict: .tooOld(age: 2.5)),
    Case(
      name: "from the future", fix: Fix(time: t0, mode: .threeD, position: p, eph: 5), age: -3,
      verdict: .tooOld(age: -3)),
  ]

  @Test(arguments: cases)
  func gate(_ c: Case) {
    let quality = FixQuality(maxEph: 15, maxAge: 2)
    #expect(quality.verdict(for: c.fix, at: Self.t0.addingTimeInterval(c.age)) == c.verdict)
  }

  static let quiet = Logger(label: "test.clock", factory: { _ in SwiftLogNoOpLogHandler() })

  @Test func clockOffsetAndStamps() {
    var clock = GPSClock(logger: Self.quiet)
    let system = Self.t0.addingTimeInterval(-2.25)  // system clock 2.25 s slow
    #expect(clock.stamp(systemTime: system, monotonic: 100).source == .system)
    for i in 0..<5 {
      let jump = clock.observe(
        gpsTime: Self.t0.addingTimeInterval(Double(i)), systemTime: system.addingTimeInterval(Double(i) + 0.05),
        monotonic: 100 + Double(i))
      #expect(jump == nil)
    }
    let offset = try? #require(clock.offset)
    #expect(abs((offset ?? 0) - 2.2) < 1e-6)
    let stamp = clock.stamp(systemTime: system.addingTimeInterval(4.5), monotonic: 104.5)
    #expect(stamp.source == .gps)
    #expect(abs(stamp.time.timeIntervalSince(Self.t0.addingTimeInterval(4.45))) < 1e-6)
    // Stale: no fix for longer than maxStaleness.
    #expect(clock.stamp(systemTime: system.addingTimeInterval(30), monotonic: 130).source == .system)
  }

  @Test func systemClockJumpIsDetected() {
    var clock = GPSClock(logger: Self.quiet)
    clock.observe(gpsTime: Self.t0, systemTime: Self.t0, monotonic: 10)
    // One second later by the monotonic clock, but someone set the system clock an hour ahead.
    let jump = clock.observe(
      gpsTime: Self.t0.addingTimeInterval(1), systemTime: Self.t0.addingTimeInterval(3_601), monotonic: 11)
    #expect(jump == .systemClock(seconds: 3_600))
    // Without fixes, a check notices it too.
    var idle = GPSClock(logger: Self.quiet)
    idle.observe(gpsTime: Self.t0, systemTime: Self.t0, monotonic: 10)
    #expect(idle.checkSystemClock(systemTime: Self.t0.addingTimeInterval(5), monotonic: 15) == nil)
    #expect(
      idle.checkSystemClock(systemTime: Self.t0.addingTimeInterval(-55), monotonic: 20) == .systemClock(seconds: -65))
  }

  @Test func gpsTimeJumpIsDetected() {
    var clock = GPSClock(logger: Self.quiet)
    clock.observe(gpsTime: Self.t0, systemTime: Self.t0, monotonic: 10)
    let jump = clock.observe(
      gpsTime: Self.t0.addingTimeInterval(1 + 1_024 * 7 * 86_400), systemTime: Self.t0.addingTimeInterval(1),
      monotonic: 11)
    #expect(jump == .gpsTime(seconds: 1_024 * 7 * 86_400))
  }
}
