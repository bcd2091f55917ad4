// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Testing

@testable import Hub

/// The review pages read the zone of a candidate from the distributed zones document, in the CDS
/// form (a zones response with its policies inline) as in the one-document form.
@Suite("Review zone from a CDS zones response")
struct ReviewZoneCDSTests {
  @Test("a /curbs/zones response with data.policies names the zone and its policies")
  func zonesResponse() throws {
    let document = Data(
      #"""
      {"version": "1.1", "time_zone": "America/Los_Angeles", "data": {
        "zones": [{"curb_zone_id": "f51aa927-865b-5e3e-a683-d4a60ef8e85a", "name": "E Santa Clara St, 100 block north",
                   "street_name": "E Santa Clara St", "curb_policy_ids": ["8ba4f4e2-a41b-51d5-bb56-ee8ac3bea56d"]}],
        "policies": [{"curb_policy_id": "8ba4f4e2-a41b-51d5-bb56-ee8ac3bea56d", "priority": 10,
                      "rules": [{"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}]}]}}
      """#.utf8)
    let zone = try #require(ReviewZone(zone: "f51aa927-865b-5e3e-a683-d4a60ef8e85a", document: document))
    #expect(zone.name == "E Santa Clara St, 100 block north")
    #expect(zone.policies.count == 1)
    #expect(zone.policies.first?.contains("max 2 hour") == true, "\(zone.policies)")
  }
}
