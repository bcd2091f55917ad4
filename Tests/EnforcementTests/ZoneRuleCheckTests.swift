// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing

@testable import Enforcement

/// A rule set Chalkline must refuse, and the problem it is refused with.
struct RefusedRules: Sendable, CustomTestStringConvertible {
  var name: String
  var policies: [String]
  /// The zone's extent east, metres (the fixture's zones are 3 m deep).
  var length: Double = 120
  var problem: String
  var testDescription: String { name }
}

let refusedRules: [RefusedRules] = [
  RefusedRules(
    name: "NO PARKING FOR PERMIT W, 2 HR FOR EVERYONE ELSE", policies: [PermitSigns.watchList],
    problem:
      "test.json:LINE: data.curb_policies[0].rules[0]: policy p0: user class \"permit W\" is treated more strictly "
      + "than everyone else (no parking where everyone else gets 2 h parking): that is a watch list "
      + "(expected a rule for a user class only to relax the rule for everyone (a permit exempts, never singles out))"),
  RefusedRules(
    name: "1 HR FOR PERMIT W, PARKING WITHOUT LIMIT FOR EVERYONE ELSE",
    policies: [
      #""priority": 10, "rules": [{"activity": "parking", "max_stay": 1, "max_stay_unit": "hour", "user_classes": ["permit W"]}, {"activity": "parking"}]"#
    ],
    problem:
      "test.json:LINE: data.curb_policies[0].rules[0]: policy p0: user class \"permit W\" is treated more strictly "
      + "than everyone else (1 h parking where everyone else gets parking without limit): that is a watch list "
      + "(expected a rule for a user class only to relax the rule for everyone (a permit exempts, never singles out))"),
  RefusedRules(
    name: "5 MIN PARKING: under the floor",
    policies: [#""priority": 10, "rules": [{"activity": "parking", "max_stay": 5, "max_stay_unit": "minute"}]"#],
    problem:
      "test.json:LINE: data.curb_policies[0].rules[0].max_stay: policy p0: a 5 min limit is under the floor of 10 min "
      + "(expected max_stay of at least 10 min: a shorter limit is a stop, not a stay)"),
  RefusedRules(
    name: "a curb zone 900 m long", policies: [Signs.twoHour], length: 900,
    problem:
      "test.json:LINE: data.curb_zones[0].geometry: curb zone A is about 900 m long (expected a curb zone at most 400 m long)"
  ),
]

@Suite("No watch list by rules")
struct ZoneRuleCheckTests {
  /// The fixture's zones file with zone A `length` metres long (zone B after it).
  static func file(policies: [String], length: Double) -> String {
    Fixtures.zonesJSON(policies: policies).replacingOccurrences(
      of: Fixtures.corner(120, 0), with: Fixtures.corner(length, 0)
    ).replacingOccurrences(of: Fixtures.corner(120, 3), with: Fixtures.corner(length, 3))
  }

  @Test(arguments: refusedRules)
  func refused(_ refused: RefusedRules) throws {
    let text = Self.file(policies: refused.policies, length: refused.length)
    let data = Data(text.utf8)
    let zones = try ZonesFileLoader.parse(data, file: "test.json")
    do {
      try ZoneRuleCheck.check(zones, source: data, file: "test.json")
      Issue.record("accepted")
    } catch {
      #expect(error.problems.count == 1)
      let problem = try #require(error.problems.first)
      #expect(problem.line > 1)
      #expect(problem.description == refused.problem.replacingOccurrences(of: "LINE", with: "\(problem.line)"))
      // The line named is the rule's (or the zone's) own.
      let line = text.split(separator: "\n", omittingEmptySubsequences: false)[problem.line - 1]
      #expect(line.contains("rules") || line.contains("curb_zone_id") || line.contains("activity"), "\(line)")
    }
  }

  @Test("signs that exempt permit holders, and the shipped San José zones, are accepted")
  func accepted() throws {
    for policies in [
      [PermitSigns.twoHourExceptPermitR], [PermitSigns.noParkingExceptPermitR], [Signs.permitNight],
      [PermitSigns.twoHourExceptCommercial], [Signs.twoHour, Signs.sweeping],
      // A class no plate shows (CDS's rideshare): the rule never applies to a car the agent reads
      // and no permit list names the class, so it singles nobody out.
      [#""priority": 10, "rules": [{"activity": "no stopping", "user_classes": ["rideshare"]}]"#],
    ] {
      let data = Data(Self.file(policies: policies, length: 120).utf8)
      try ZoneRuleCheck.check(try ZonesFileLoader.parse(data, file: "t.json"), source: data, file: "t.json")
    }
    // The shipped San José rules: its zones and policies responses, as the profile loads them.
    let folder = ExampleZonesTests.folder
    let documents = try ["san-jose-downtown.json", "san-jose-downtown-policies.json"].map {
      (data: try Data(contentsOf: folder.appendingPathComponent($0)), file: $0)
    }
    try ZoneRuleCheck.check(try ExampleZonesTests.load(), sources: documents)
  }
}
