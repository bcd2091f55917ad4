// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Testing

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
    var generator = SplitMix(seed: 7)
    for _ in 0..<2_000 {
      let position = EnforcementBenchmark.randomPosition(in: set, using: &generator)
      let touching = set.zones.filter {
        $0.polygon.signedDistance(latitude: position.latitude, longitude: position.longitude) <= position.uncertainty
      }
      let expected: ZoneSet.Location =
        touching.isEmpty ? .outside : touching.count == 1 ? .zone(touching[0].id) : set.locate(position, at: Date())
      #expect(set.locate(position, at: Date()) == expected)
    }
  }
}
