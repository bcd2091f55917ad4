// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Enforcement
import Foundation

/// CDS zones and policies documents, through the loader and the rule check the daemon runs, and
/// through the hub's check before it publishes a zones document.
enum FuzzZones {
  /// A shipped zones document the fuzzed bytes are paired with as its policies response.
  static let zones = Data(
    """
    {"version": "1.1.0", "time_zone": "America/Los_Angeles", "last_updated": 1772442000000, "data": {"zones": [
    {"curb_zone_id": "z1", "geometry": {"type": "Polygon", "coordinates": [[[-121.89, 37.33], [-121.888, 37.33],
    [-121.888, 37.331], [-121.89, 37.331], [-121.89, 37.33]]]}, "curb_policy_ids": ["p1"], "published_date": 1,
    "last_updated_date": 1, "start_date": 1}]}}
    """.utf8)

  static func run(_ input: Data) {
    check(ZonesFileLoader.Input(data: input, file: "zones.json"), policies: nil)
    check(
      ZonesFileLoader.Input(data: zones, file: "zones.json"),
      policies: ZonesFileLoader.Input(data: input, file: "policies.json"))
    do {
      try ZoneRuleCheck.checkForPublication(input, file: "zones.json")
    } catch {
      refused(error)
    }
  }

  static func check(_ zones: ZonesFileLoader.Input, policies: ZonesFileLoader.Input?) {
    do {
      let set = try ZonesFileLoader.parse(zones, policies: policies)
      try ZoneRuleCheck.check(set, sources: [(zones.data, zones.file)] + (policies.map { [($0.data, $0.file)] } ?? []))
    } catch {
      refused(error)
    }
  }

  /// A refusal must name its problems.
  static func refused(_ error: FileRefusal) {
    if error.code == .invalid, error.problems.isEmpty { contractBroken("refused zones list no problem") }
    _ = error.description
  }
}
