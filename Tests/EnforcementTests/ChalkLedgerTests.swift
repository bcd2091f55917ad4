// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing

@testable import ChalklineBench
@testable import Enforcement

@Suite("Chalk ledger")
struct ChalkLedgerTests {
  func ledger(
    _ policies: [String] = [Signs.twoHour], configuration: EnforcementConfiguration = .init()
  ) throws -> ChalkLedger {
    ChalkLedger(zones: try Fixtures.zoneSet(policies: policies), configuration: configuration, logger: Fixtures.logger)
  }

  @Test func restoredFromPersistedMarksItContinues() throws {
    var first = try ledger()
    let outcome = first.decide(Fixtures.sighting(first, at: "2026-03-02 09:00", plates: [("7ABC123", 0.9)], x: 20))
    let saved = try #require(outcome.saved)
    // The vault stores marks as JSON (or any Codable encoding) and hands them back after a restart.
    let stored = try JSONEncoder().encode([saved])
    let restoredMarks = try JSONDecoder().decode([ChalkMark].self, from: stored)
    #expect(restoredMarks == [saved])
    var second = ChalkLedger(zones: first.zones, logger: Fixtures.logger, restoring: restoredMarks)
    let later = second.decide(Fixtures.sighting(second, at: "2026-03-02 11:10", plates: [("7ABC123", 0.9)], x: 20))
    guard case .candidate(let candidate) = later.decision else {
      Issue.record("expected a candidate, got \(later.decision.kindName)")
      return
    }
    #expect(candidate.first.evidence == saved.first.evidence)
    #expect(candidate.enforcedElapsed == 7_800)
    #expect(candidate.distance < 0.01)
    #expect(later.saved?.flagged == true)
    #expect(later.saved?.id == saved.id)
  }

  @Test func aMovedCarRemovesItsOldMark() throws {
    var ledger = try ledger()
    let old = try #require(
      ledger.decide(Fixtures.sighting(ledger, at: "2026-03-02 09:00", plates: [("7ABC123", 0.9)], x: 20)).saved)
    let moved = ledger.decide(Fixtures.sighting(ledger, at: "2026-03-02 10:00", plates: [("7ABC123", 0.9)], x: 80))
    #expect(moved.removed.map(\.id) == [old.id])
    #expect(ledger.liveMarks.count == 1)
  }

  @Test func marksExpireAndTheirKeyWindowsClose() throws {
    var ledger = try ledger()
    _ = ledger.decide(Fixtures.sighting(ledger, at: "2026-03-02 17:30", plates: [("7ABC123", 0.9)], x: 20))
    // The next morning the sighting is hashed under its own day and the day of the live chalk.
    #expect(
      ledger.keyWindows(at: Fixtures.time("2026-03-03 09:00")) == [
        KeyWindowID("chalk-2026-03-03"), KeyWindowID("chalk-2026-03-02"),
      ])
    let early = ledger.expire(now: Fixtures.time("2026-03-03 09:00"))
    #expect(early.expired.isEmpty && early.closedWindows.isEmpty)
    let report = ledger.expire(now: Fixtures.time("2026-03-03 17:30"))
    #expect(report.expired.count == 1)
    #expect(report.closedWindows == [KeyWindowID("chalk-2026-03-02")])
    #expect(ledger.liveMarks.isEmpty)
    #expect(ledger.keyWindows(at: Fixtures.time("2026-03-03 18:00")) == [KeyWindowID("chalk-2026-03-03")])
  }

  /// The ledger counts the marks holding keys of each window as they are saved, renewed and
  /// removed: a window stays live while any mark holds one of its keys, and closes with the last.
  @Test func aKeyWindowClosesWithTheLastMarkHoldingItsKeys() throws {
    var ledger = try ledger(configuration: .init(chalkLifetime: 20 * 3_600))
    _ = ledger.decide(Fixtures.sighting(ledger, at: "2026-03-02 17:00", plates: [("7ABC123", 0.9)], x: 20))
    _ = ledger.decide(Fixtures.sighting(ledger, at: "2026-03-02 17:10", plates: [("8XYZ456", 0.9)], x: 80))
    // The first car again the next morning: its mark is saved anew, holding both days' keys.
    let renewed = ledger.decide(Fixtures.sighting(ledger, at: "2026-03-03 08:30", plates: [("7ABC123", 0.9)], x: 20))
    #expect(renewed.saved?.keyWindows == [KeyWindowID("chalk-2026-03-02"), KeyWindowID("chalk-2026-03-03")])
    #expect(ledger.liveMarks.count == 2)
    // The second car's mark expires; the renewed mark still holds keys of the first day.
    let afternoon = ledger.expire(now: Fixtures.time("2026-03-03 13:30"))
    #expect(afternoon.expired.count == 1 && afternoon.closedWindows.isEmpty)
    #expect(
      ledger.keyWindows(at: Fixtures.time("2026-03-03 13:30")) == [
        KeyWindowID("chalk-2026-03-03"), KeyWindowID("chalk-2026-03-02"),
      ])
    // The renewed mark expires too: both days' windows close, the current one stays.
    let next = ledger.expire(now: Fixtures.time("2026-03-04 05:00"))
    #expect(next.expired.count == 1)
    #expect(next.closedWindows == [KeyWindowID("chalk-2026-03-02"), KeyWindowID("chalk-2026-03-03")])
    #expect(ledger.keyWindows(at: Fixtures.time("2026-03-04 05:00")) == [KeyWindowID("chalk-2026-03-04")])
  }

  @Test func noReturnKeepsAMarkLonger() throws {
    var ledger = try ledger([Signs.twoHourNoReturn], configuration: .init(chalkLifetime: 3_600))
    let mark = try #require(
      ledger.decide(Fixtures.sighting(ledger, at: "2026-03-02 09:00", plates: [("7ABC123", 0.9)], x: 20)).saved)
    #expect(ledger.expiry(of: mark) == Fixtures.time("2026-03-02 12:00"))
  }

  @Test func marksOfARemovedZoneExpire() throws {
    var ledger = try ledger()
    _ = ledger.decide(Fixtures.sighting(ledger, at: "2026-03-02 09:00", plates: [("7ABC123", 0.9)], x: 20))
    // A new zones file without zone A: nothing can turn the mark into a candidate any more.
    let emptyZones = ZoneSet(zones: [], policies: [], timeZone: Fixtures.timeZone)
    ledger.replaceZones(emptyZones)
    #expect(ledger.expire(now: Fixtures.time("2026-03-02 09:01")).expired.count == 1)
  }

  @Test func theLedgerNeverHoldsAnotherWindowsKeys() throws {
    var ledger = try ledger()
    let outcome = ledger.decide(Fixtures.sighting(ledger, at: "2026-03-02 09:00", plates: [("7ABC123", 0.9)], x: 20))
    // The sighting carried the permit window's key too; the mark keeps only its own day's.
    #expect(outcome.saved?.keyWindows == [KeyWindowID("chalk-2026-03-02")])
  }

  @Test func canonicalForm() {
    #expect(PlateCanonicalForm.canonical("7abc-1O3") == "7ABC103")
    #expect(PlateCanonicalForm.canonical("I 23 Q") == "1230")
  }
}

@Suite("Spatial index")
struct SpatialIndexTests {
  @Test func gridLookupAgreesWithAScanOfEveryZone() throws {
    let set = EnforcementBenchmark.syntheticZones(count: 1_000)
    var generator = SeededGenerator(seed: 7)
    for _ in 0..<400 {
      let position = EnforcementBenchmark.randomPosition(in: set, using: &generator)
      let touching = set.zones.compactMap { zone -> (ZoneID, Double)? in
        let distance = zone.polygon.signedDistance(latitude: position.latitude, longitude: position.longitude)
        return distance <= position.uncertainty ? (zone.id, distance) : nil
      }
      let containing = touching.filter { $0.1 <= 0 }
      let expected: ZoneSet.Location =
        switch (touching.count, containing.count) {
        case (0, _): .outside
        case (1, _): .zone(touching[0].0)
        case (_, 1): .zone(containing[0].0)
        default: .ambiguous(touching.map(\.0).sorted())
        }
      #expect(set.locate(position, at: Date()) == expected)
    }
  }
}

@Suite("Local clock")
struct LocalClockTests {
  let clock = LocalClock(timeZone: Fixtures.timeZone)
  let springForward = CivilDate(year: 2026, month: 3, day: 8).dayNumber
  let fallBack = CivilDate(year: 2026, month: 11, day: 1).dayNumber

  @Test func aTimeInTheSpringGapMapsToTheJump() {
    // 02:30 does not exist on 2026-03-08; the clock jumps from 02:00 PST to 03:00 PDT at 10:00 UTC.
    #expect(clock.instants(dayNumber: springForward, secondOfDay: 9_000) == [Fixtures.time("2026-03-08T10:00:00Z")])
  }

  @Test func aTimeInTheAutumnOverlapHappensTwice() {
    #expect(
      clock.instants(dayNumber: fallBack, secondOfDay: 5_400) == [
        Fixtures.time("2026-11-01T01:30:00-07:00"), Fixtures.time("2026-11-01T01:30:00-08:00"),
      ])
  }

  @Test func offsetsMatchTheTimeZoneDatabase() {
    for hours in stride(from: 0, to: 24 * 400, by: 7) {
      let time = Fixtures.time("2026-01-01 00:00").addingTimeInterval(Double(hours) * 3_600)
      #expect(clock.offset(at: time) == Fixtures.timeZone.secondsFromGMT(for: time))
    }
  }

  @Test func weekdaysAndCivilDates() {
    let monday = CivilDate(year: 2026, month: 3, day: 2)
    #expect(CivilDate.isoWeekday(dayNumber: monday.dayNumber) == 1)
    #expect(CivilDate(dayNumber: monday.dayNumber) == monday)
    #expect(CivilDate(iso: "2028-02-29") != nil && CivilDate(iso: "2026-02-29") == nil)
    #expect(clock.moment(Fixtures.time("2026-03-02 17:30")).secondOfDay == 63_000)
  }
}
