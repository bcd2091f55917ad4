// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing

@testable import Enforcement

/// The San José example rules that the demo patrol uses: the Curbs API's zones and policies
/// responses and the city's holiday list.
@Suite("San José example zones")
struct ExampleZonesTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("device-profiles/zones")

  static func load() throws -> ZoneSet {
    try ZonesFileLoader.load(
      zones: folder.appendingPathComponent("san-jose-downtown.json"),
      policies: folder.appendingPathComponent("san-jose-downtown-policies.json"),
      periods: folder.appendingPathComponent("san-jose-holidays.json"))
  }

  @Test func loadsAndSummarises() throws {
    let set = try Self.load()
    #expect(set.zones.count == 8)
    #expect(set.periodsVersion == "2026-12-01")
    let zone = try #require(set.zone(ZoneID("f51aa927-865b-5e3e-a683-d4a60ef8e85a")))
    #expect(
      ZoneSummary.line(for: zone, in: set)
        == "E Santa Clara St, 100 block north: no parking in the 2nd, 4th week of the month Tue 07:00–09:00 "
        + "(not enforced by Chalkline); 2 h max stay Mon–Sat 08:00–18:00; permit R exempt")
    let permitZone = try #require(set.zone(ZoneID("144143d4-cb6f-5b6a-b95e-a68c4fed99ba")))
    #expect(
      ZoneSummary.line(for: permitZone, in: set).hasPrefix(
        "N 3rd St, 400 block west: no parking daily 18:00–08:00; permit R exempt"))
  }

  @Test func coordinatesAreDowntownSanJose() throws {
    let set = try Self.load()
    for zone in set.zones {
      let box = zone.polygon.bounds
      #expect(box.minLat >= 37.33 && box.maxLat <= 37.35, "\(zone.id)")
      #expect(box.minLon >= -121.90 && box.maxLon <= -121.88, "\(zone.id)")
    }
  }

  @Test func aZoneCentreLocatesItsZone() throws {
    let set = try Self.load()
    for zone in set.zones {
      let c = zone.polygon.center
      let position = CurbPosition(latitude: c.latitude, longitude: c.longitude, uncertainty: 3)
      #expect(set.locate(position, at: Fixtures.time("2026-03-02 10:00")) == .zone(zone.id))
    }
  }

  @Test func holidayIsOutsideEnforcementHours() throws {
    let set = try Self.load()
    let zone = ZoneID("56fe6071-bc99-50dd-b352-ad4c7a6e1378")
    #expect(set.effectivePolicy(in: zone, at: Fixtures.time("2026-11-26 10:00")) == nil)
    #expect(
      set.effectivePolicy(in: zone, at: Fixtures.time("2026-11-24 10:00"))?.id
        == PolicyID("597aaf89-d59b-515a-a315-33fa3bf1cfc5"))
  }
}
