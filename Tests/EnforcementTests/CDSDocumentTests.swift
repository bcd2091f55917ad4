// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing

@testable import Enforcement

/// The Curbs API's responses as a city serves them: the official examples, the two-document
/// form, versions, and the keys that are refused rather than dropped.
@Suite("CDS documents")
struct CDSDocumentTests {
  static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("tools/cds/examples")

  /// A zones response of one block face governed by `policyIDs`.
  static func zonesResponse(
    version: String = "1.1", timeZone: String = "America/New_York", policyIDs: [String], extra: String = ""
  ) -> String {
    """
    {"version": "\(version)", "time_zone": "\(timeZone)",
     "data": {"zones": [
       {"curb_zone_id": "7d8a5885-e949-4ac9-afb7-fa4d43b68530", "curb_policy_ids": [\(policyIDs.map { "\"\($0)\"" }.joined(separator: ", "))],
        "published_date": 1552678594428, "last_updated_date": 1552678594428, "start_date": 1552678594428,\(extra)
        "geometry": {"type": "Polygon", "coordinates": [[[-73.9821, 40.7679], [-73.9818, 40.7679],
          [-73.9818, 40.7680], [-73.9821, 40.7680], [-73.9821, 40.7679]]]}}]}}
    """
  }

  /// A policies response of one policy whose rule and span are given.
  static func policiesResponse(
    version: String = "1.1", rule: String, span: String = "{}", policy: String = ""
  ) -> String {
    """
    {"version": "\(version)", "time_zone": "America/New_York",
     "data": {"policies": [
       {"curb_policy_id": "p1", "published_date": 1552678594428, "priority": 1,\(policy)
        "rules": [\(rule)],
        "time_spans": [\(span)]}]}}
    """
  }

  static func load(_ zones: String, _ policies: String? = nil) throws(FileRefusal) -> ZoneSet {
    try ZonesFileLoader.parse(
      .init(data: Data(zones.utf8), file: "zones.json"),
      policies: policies.map { .init(data: Data($0.utf8), file: "policies.json") })
  }

  static func problems(_ zones: String, _ policies: String? = nil) -> [String] {
    do {
      _ = try load(zones, policies)
      return []
    } catch {
      return error.problems.map(\.description)
    }
  }

  /// Monday 2026-03-02, 11:00 in New York (08:00 on the Los Angeles wall clock of the fixtures).
  static let monday11 = Fixtures.time("2026-03-02 08:00")

  @Test("the official Curb Zones Minimum example loads: its policies ride inline, data is an array")
  func officialZonesExample() throws {
    let set = try ZonesFileLoader.load(contentsOf: Self.examples.appendingPathComponent("zones-minimum.json"))
    #expect(set.zones.count == 1)
    #expect(set.timeZone.identifier == "US/Eastern")
    let zone = ZoneID("7d8a5885-e949-4ac9-afb7-fa4d43b68530")
    #expect(set.effectivePolicy(in: zone, at: Self.monday11)?.rules.first?.maxStay == 3_600)
  }

  @Test("the official Curb Policies example: the operators' rideshare+electric policy never governs a parked car")
  func officialPoliciesExample() throws {
    let zones = Self.zonesResponse(
      version: "1.0", timeZone: "US/Eastern",
      policyIDs: [
        "cd0996d7-3765-4f0b-a72e-7caf7cf3fe21", "51f58575-1042-4254-b5fc-fed97124a6c7",
        "8c0abb35-b8d2-469e-bdb1-b6de52c430ac",
      ])
    let set = try ZonesFileLoader.parse(
      .init(data: Data(zones.utf8), file: "zones.json"),
      policies: try ZonesFileLoader.Input.read(Self.examples.appendingPathComponent("policies.json"), what: "policies"))
    let zone = ZoneID("7d8a5885-e949-4ac9-afb7-fa4d43b68530")
    // Monday 11:00: the priority-1 policy is in effect, but for other cars: the 60 min governs.
    #expect(set.effectivePolicy(in: zone, at: Self.monday11)?.id == PolicyID("51f58575-1042-4254-b5fc-fed97124a6c7"))
    // 23:00: only "no stopping" for everyone.
    #expect(
      set.effectivePolicy(in: zone, at: Self.monday11.addingTimeInterval(12 * 3_600))?.id
        == PolicyID("8c0abb35-b8d2-469e-bdb1-b6de52c430ac"))
    let operatorBound = try #require(set.policies[PolicyID("cd0996d7-3765-4f0b-a72e-7caf7cf3fe21")])
    #expect(operatorBound.operatorIDs.count == 3)
    #expect(operatorBound.ruleIndex(for: VehicleClasses(held: [UserClass("rideshare"), UserClass("electric")])) == nil)
  }

  @Test("the policies response given as the zones file is refused, saying it goes second")
  func policiesAsZones() throws {
    let error = try #require(throws: FileRefusal.self) {
      try ZonesFileLoader.load(contentsOf: Self.examples.appendingPathComponent("policies.json"))
    }
    #expect(error.problems.contains { $0.keyPath == "data[0].zones" && $0.expected?.contains("goes second") == true })
  }

  @Test("a policy repeated in both responses must be identical")
  func repeatedPolicy() throws {
    let rule = #"{"activity": "parking", "max_stay": 60}"#
    let zones = Self.zonesResponse(policyIDs: ["p1"])
      .replacingOccurrences(
        of: #""data": {"zones""#,
        with:
          #""data": {"policies": [{"curb_policy_id": "p1", "published_date": 1, "priority": 1, "rules": [\#(rule)], "time_spans": [{}]}], "zones""#
      )
    #expect(Self.problems(zones, Self.policiesResponse(rule: rule)).isEmpty)
    let other = Self.problems(zones, Self.policiesResponse(rule: #"{"activity": "parking", "max_stay": 15}"#))
    #expect(other.contains { $0.hasPrefix("policies.json:3: data.policies[0].curb_policy_id: duplicate id \"p1\"") })
  }

  /// A document and the problem it must be refused with, `FILE:LINE: KEY: problem`.
  struct Refusal: Sendable, CustomTestStringConvertible {
    var name: String
    var zones: String
    var policies: String?
    var problem: String
    var testDescription: String { name }
  }

  static let parking = #"{"activity": "parking", "max_stay": 60}"#
  static let refusals: [Refusal] = [
    Refusal(
      name: "a CDS version Chalkline does not read", zones: zonesResponse(version: "2.0", policyIDs: ["p1"]),
      policies: policiesResponse(rule: parking),
      problem:
        "zones.json:1: version: CDS version \"2.0\" is not one Chalkline reads (expected 1.0, 1.0.x, 1.1 or 1.1.x)"),
    Refusal(
      name: "a response without its version",
      zones: zonesResponse(policyIDs: ["p1"]).replacingOccurrences(
        of: #""version": "1.1", "#, with: ""), policies: policiesResponse(rule: parking),
      problem: "zones.json:1: version: is missing"),
    Refusal(
      name: "weeks_of_month in a 1.0 document", zones: zonesResponse(policyIDs: ["p1"]),
      policies: policiesResponse(version: "1.0", rule: parking, span: #"{"weeks_of_month": [2, 4]}"#),
      problem: "policies.json:5: data.policies[0].time_spans[0].weeks_of_month: is a CDS 1.1 key"),
    Refusal(
      name: "user_classes_except in a 1.0.2 document", zones: zonesResponse(policyIDs: ["p1"]),
      policies: policiesResponse(
        version: "1.0.2", rule: #"{"activity": "no parking", "user_classes_except": ["permit R"]}"#),
      problem: "policies.json:4: data.policies[0].rules[0].user_classes_except: is a CDS 1.1 key"),
    Refusal(
      name: "weeks_of_month out of range", zones: zonesResponse(policyIDs: ["p1"]),
      policies: policiesResponse(rule: parking, span: #"{"weeks_of_month": [6]}"#),
      problem: "policies.json:5: data.policies[0].time_spans[0].weeks_of_month[0]: is 6"),
    Refusal(
      name: "a rule key Chalkline does not implement (purposes)", zones: zonesResponse(policyIDs: ["p1"]),
      policies: policiesResponse(rule: #"{"activity": "parking", "purposes": ["delivery"]}"#),
      problem: "policies.json:4: data.policies[0].rules[0].purposes: is not a key Chalkline reads"),
    Refusal(
      name: "a time-span key Chalkline does not implement", zones: zonesResponse(policyIDs: ["p1"]),
      policies: policiesResponse(rule: parking, span: #"{"days_of_year": [1]}"#),
      problem: "policies.json:5: data.policies[0].time_spans[0].days_of_year: is not a key Chalkline reads"),
    Refusal(
      name: "a zone that points to a work-zone feed",
      zones: zonesResponse(policyIDs: ["p1"], extra: #" "wzdx_references": [],"#),
      policies: policiesResponse(rule: parking),
      problem: "zones.json:4: data.zones[0].wzdx_references: points to a work-zone feed Chalkline cannot read"),
    Refusal(
      name: "user_classes_except naming a class user_classes requires", zones: zonesResponse(policyIDs: ["p1"]),
      policies: policiesResponse(
        rule: #"{"activity": "parking", "user_classes": ["taxi"], "user_classes_except": ["taxi"]}"#),
      problem:
        "policies.json:4: data.policies[0].rules[0].user_classes_except: names \"taxi\", which user_classes requires"),
    Refusal(
      name: "the policies response in another time zone", zones: zonesResponse(policyIDs: ["p1"]),
      policies: policiesResponse(rule: parking).replacingOccurrences(of: "America/New_York", with: "Europe/Paris"),
      problem: "policies.json:1: time_zone: \"Europe/Paris\" differs from the zones document's \"America/New_York\""),
    Refusal(
      name: "a zone naming a policy neither response has", zones: zonesResponse(policyIDs: ["p2"]),
      policies: policiesResponse(rule: parking),
      problem: "zones.json:3: data.zones[0].curb_policy_ids[0]: no policy has id \"p2\""),
    Refusal(
      name: "a zones response alone, its policies not given", zones: zonesResponse(policyIDs: ["p1"]), policies: nil,
      problem: "zones.json:2: data.policies: is missing, and no policies response was given"),
    Refusal(
      name: "a policies response without policies", zones: zonesResponse(policyIDs: ["p1"]),
      policies: #"{"version": "1.1", "data": {}}"#, problem: "policies.json:1: data.policies: is missing"),
  ]

  @Test("refused", arguments: refusals)
  func refused(_ refusal: Refusal) {
    let problems = Self.problems(refusal.zones, refusal.policies)
    #expect(problems.contains { $0.hasPrefix(refusal.problem) }, "\(problems)")
  }

  @Test("every CDS unit of time, a month and a year at their longest")
  func unitsOfTime() throws {
    let expected: [(String, Double)] = [
      ("second", 1), ("minute", 60), ("hour", 3_600), ("day", 86_400), ("week", 604_800), ("month", 31 * 86_400),
      ("year", 366 * 86_400),
    ]
    for (unit, seconds) in expected {
      let rule =
        #"{"activity": "parking", "max_stay": 2, "max_stay_unit": "\#(unit)", "no_return": 1, "no_return_unit": "\#(unit)"}"#
      let set = try Self.load(Self.zonesResponse(policyIDs: ["p1"]), Self.policiesResponse(rule: rule))
      #expect(set.policies[PolicyID("p1")]?.rules.first?.maxStay == 2 * seconds, "\(unit)")
      #expect(set.policies[PolicyID("p1")]?.rules.first?.noReturn == seconds, "\(unit)")
    }
  }

  @Test("holidays come from a separate, versioned periods document")
  func periodsDocument() throws {
    let span = #"{"designated_period": "holidays", "designated_period_except": true}"#
    let periods = #"{"version": "2026-12-01", "designated_periods": {"holidays": ["2026-03-02"]}}"#
    let set = try ZonesFileLoader.parse(
      .init(data: Data(Self.zonesResponse(policyIDs: ["p1"]).utf8), file: "zones.json"),
      policies: .init(data: Data(Self.policiesResponse(rule: Self.parking, span: span).utf8), file: "policies.json"),
      periods: .init(data: Data(periods.utf8), file: "holidays.json"))
    #expect(set.periodsVersion == "2026-12-01")
    let zone = ZoneID("7d8a5885-e949-4ac9-afb7-fa4d43b68530")
    #expect(set.effectivePolicy(in: zone, at: Self.monday11) == nil)
    #expect(set.effectivePolicy(in: zone, at: Self.monday11.addingTimeInterval(86_400)) != nil)
    // Without the periods document the name is unknown; without a version the list is refused.
    #expect(
      Self.problems(Self.zonesResponse(policyIDs: ["p1"]), Self.policiesResponse(rule: Self.parking, span: span))
        .contains { $0.contains("designated_period: no designated period is named \"holidays\"") })
    let error = try #require(throws: FileRefusal.self) {
      try ZonesFileLoader.parse(
        .init(data: Data(Self.zonesResponse(policyIDs: ["p1"]).utf8), file: "zones.json"),
        policies: .init(data: Data(Self.policiesResponse(rule: Self.parking).utf8), file: "policies.json"),
        periods: .init(data: Data(#"{"designated_periods": {}}"#.utf8), file: "holidays.json"))
    }
    #expect(error.problems.map(\.description).contains { $0.hasPrefix("holidays.json:1: version: is missing") })
  }
}
