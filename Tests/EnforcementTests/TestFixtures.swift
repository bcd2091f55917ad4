// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Logging

@testable import Enforcement

/// Builds zone sets, sightings and fake plate hashes for the ledger tests.
///
/// The "hash" is the canonical text's bytes prefixed by the window: a fake is enough here, since
/// the ledger only compares keys; the vault's HMAC is tested in VaultTests.
enum Fixtures {
  static let timeZone = TimeZone(identifier: "America/Los_Angeles")!
  static let origin = CurbPosition(latitude: 37.3400, longitude: -121.8950, uncertainty: 2)
  static let holidays = ["2026-01-01", "2026-03-04", "2026-05-25"]

  /// A corner of the test block: `x` metres east and `y` metres north of the origin.
  static func corner(_ x: Double, _ y: Double) -> String {
    let p = origin.offset(east: x, north: y)
    return "[\(p.longitude), \(p.latitude)]"
  }

  /// A zones file with two block faces side by side on one curb: zone A from 0 to 120 m east,
  /// zone B from 122 to 240 m, both 3 m deep, both governed by every policy given.
  static func zonesJSON(policies: [String]) -> String {
    let ids = policies.indices.map { "\"p\($0)\"" }.joined(separator: ", ")
    let numbered = policies.enumerated().map { "{\"curb_policy_id\": \"p\($0)\", \($1)}" }
    func zone(_ id: String, _ x0: Double, _ x1: Double) -> String {
      let ring = [corner(x0, 0), corner(x1, 0), corner(x1, 3), corner(x0, 3), corner(x0, 0)].joined(separator: ", ")
      return """
        {"curb_zone_id": "\(id)", "name": "Test St, \(id)", "curb_policy_ids": [\(ids)],
         "geometry": {"type": "Polygon", "coordinates": [[\(ring)]]}}
        """
    }
    return """
      {"time_zone": "America/Los_Angeles",
       "data": {
         "designated_periods": {"holidays": [\(holidays.map { "\"\($0)\"" }.joined(separator: ", "))]},
         "curb_policies": [\(numbered.joined(separator: ",\n"))],
         "curb_zones": [\(zone("A", 0, 120)), \(zone("B", 122, 240))]}}
      """
  }

  static func zoneSet(policies: [String]) throws -> ZoneSet {
    try ZonesFileLoader.parse(Data(zonesJSON(policies: policies).utf8), file: "test.json")
  }

  /// `2026-03-02 09:00` on the Los Angeles wall clock, or an ISO 8601 time with an offset
  /// (`2026-11-01T01:10:00-07:00`) where the wall clock is ambiguous.
  static func time(_ text: String) -> Date {
    if text.contains("T") {
      let formatter = ISO8601DateFormatter()
      return formatter.date(from: text)!
    }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = timeZone
    formatter.dateFormat = "yyyy-MM-dd HH:mm"
    return formatter.date(from: text)!
  }

  /// The fake keyed hash of a reading under a window.
  static func key(_ plate: String, window: KeyWindowID) -> PlateKey {
    PlateKey(window: window, bytes: Array("\(window.rawValue)|\(PlateCanonicalForm.canonical(plate))".utf8))
  }

  /// A sighting hashed the way the pipeline does it: under every window the ledger asks for,
  /// plus the permit window.
  static func sighting(
    _ ledger: ChalkLedger, at text: String, plates: [(String, Double)], x: Double?, y: Double = 1.5,
    uncertainty: Double = 2
  ) -> Sighting {
    let t = time(text)
    let windows = ledger.keyWindows(at: t) + [ledger.permits.window]
    let alternatives = plates.map { plate, confidence in
      PlateAlternative(keys: windows.map { key(plate, window: $0) }, confidence: confidence)
    }
    let position = x.map { origin.offset(east: $0, north: y) }.map {
      CurbPosition(latitude: $0.latitude, longitude: $0.longitude, uncertainty: uncertainty)
    }
    return Sighting(time: t, position: position, alternatives: alternatives, evidence: EvidenceID("ev-\(text)"))
  }

  /// A verified permit list (version 1) naming `permit R`, with these holders valid every day.
  static func permits(_ holders: [String: [String]]) -> PermitRegistry {
    var registry = PermitRegistry(window: KeyWindowID("permits-v1"), version: 1, classes: [UserClass("permit R")])
    for (userClass, plates) in holders {
      registry.add(plates.map { key($0, window: registry.window) }, to: UserClass(userClass))
    }
    return registry
  }

  static let logger = Logger(label: "test.enforcement")
}
