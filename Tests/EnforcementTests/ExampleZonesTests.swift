// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Testing

@testable import Enforcement

/// The San José example file that the demo patrol uses.
@Suite("San José example zones")
struct ExampleZonesTests {
  static let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("device-profiles/zones/san-jose-downtown.json")

  @Test func loadsAndSummarises() throws {
    let set = try ZonesFileLoader.load(contentsOf: Self.url)
    #expect(set.zones.count == 8)
    let zone = try #require(set.zone(ZoneID("sj-e-santa-clara-100-n")))
    #expect(
      ZoneSummary.line(for: zone, in: set)
        == "E Santa Clara St, 100 block north: no parking Tue on days 8–14 07:00–09:00 and Tue on days 22–28 07:00–09:00 "
        + "(not enforced by Chalkline); 2 h max stay Mon–Sat 08:00–18:00; permit R exempt")
    let permitZone = try #require(set.zone(ZoneID("sj-n-3rd-400-w")))
    #expect(
      ZoneSummary.line(for: permitZone, in: set).hasPrefix(
        "N 3rd St, 400 block west: no parking daily 18:00–08:00; permit R exempt"))
  }

  @Test func coordinatesAreDowntownSanJose() throws {
    let set = try ZonesFileLoader.load(contentsOf: Self.url)
    for zone in set.zones {
      let box = zone.polygon.bounds
      #expect(box.minLat >= 37.33 && box.maxLat <= 37.35, "\(zone.id)")
      #expect(box.minLon >= -121.90 && box.maxLon <= -121.88, "\(zone.id)")
    }
  }

  @Test func aZoneCentreLocatesItsZone() throws {
    let set = try ZonesFileLoader.load(contentsOf: Self.url)
    for zone in set.zones {
      let c = zone.polygon.center
      let position = CurbPosition(latitude: c.latitude, longitude: c.longitude, uncertainty: 3)
      #expect(set.locate(position, at: Fixtures.time("2026-03-02 10:00")) == .zone(zone.id))
    }
  }

  @Test func holidayIsOutsideEnforcementHours() throws {
    let set = try ZonesFileLoader.load(contentsOf: Self.url)
    let zone = ZoneID("sj-e-santa-clara-0-s")
    #expect(set.effectivePolicy(in: zone, at: Fixtures.time("2026-11-26 10:00")) == nil)
    #expect(
      set.effectivePolicy(in: zone, at: Fixtures.time("2026-11-24 10:00"))?.id
        == PolicyID("sj-1h-mon-sat-except-holidays"))
  }
}
