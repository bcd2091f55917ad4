// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing

@testable import Enforcement

/// Signs the permit cases read.
enum PermitSigns {
  /// 2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R
  static let twoHourExceptPermitR = #"""
    "priority": 10,
    "rules": [{"activity": "parking", "user_classes": ["permit R"]}, {"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}],
    "time_spans": [{"days_of_week": \#(Signs.monSat), "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#

  /// NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R
  static let noParkingExceptPermitR = #"""
    "priority": 10, "rules": [{"activity": "parking", "user_classes": ["permit R"]}, {"activity": "no parking"}],
    "time_spans": [{"days_of_week": \#(Signs.monSat), "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#

  /// 2 HR 8AM-6PM MON-SAT EXCEPT COMMERCIAL VEHICLES (a class no permit list can name)
  static let twoHourExceptCommercial = #"""
    "priority": 10,
    "rules": [{"activity": "parking", "user_classes": ["commercial"]}, {"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}],
    "time_spans": [{"days_of_week": \#(Signs.monSat), "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#

  /// "NO PARKING FOR PERMIT W, 2 HR FOR EVERYONE ELSE": a watch list made of rules.
  static let watchList = #"""
    "priority": 10,
    "rules": [{"activity": "no parking", "user_classes": ["permit W"]}, {"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}],
    "time_spans": [{"days_of_week": \#(Signs.monSat), "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#
}

/// One permit of a case's list: plate, class, local validity (ISO dates, inclusive).
struct PermitRow: Sendable {
  var plate: String
  var userClass: String
  var from: String
  var to: String
  init(_ plate: String, _ userClass: String, _ from: String = "2026-01-01", _ to: String = "2026-12-31") {
    self.plate = plate
    self.userClass = userClass
    self.from = from
    self.to = to
  }
}

/// A sighting of a permit case; `list` replaces the permit list before it is decided.
struct PermitStep: Sendable {
  var time: String
  var plates: [(String, Double)]
  var expect: Expect
  var list: [PermitRow]?
  init(_ time: String, _ expect: Expect, list: [PermitRow]? = nil) {
    self.init(time, [("7ABC123", 0.9)], expect, list: list)
  }
  init(_ time: String, _ plates: [(String, Double)], _ expect: Expect, list: [PermitRow]? = nil) {
    self.time = time
    self.plates = plates
    self.expect = expect
    self.list = list
  }
}

/// A row of the table: named like the sign and the permit it reads.
struct PermitCase: Sendable, CustomTestStringConvertible {
  var name: String
  var policies: [String]
  /// The verified list at the start; nil: none was ever verified.
  var list: [PermitRow]?
  var steps: [PermitStep]
  init(_ name: String, _ policies: [String], list: [PermitRow]?, _ steps: [PermitStep]) {
    self.name = name
    self.policies = policies
    self.list = list
    self.steps = steps
  }
  var testDescription: String { name }
}

let permitCases: [PermitCase] = [
  PermitCase(
    "2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R: a valid permit R is exempt", [PermitSigns.twoHourExceptPermitR],
    list: [PermitRow("7ABC123", "permit R")],
    [PermitStep("2026-03-02 10:00", .skipped(.exempt)), PermitStep("2026-03-02 12:10", .skipped(.exempt))]),
  PermitCase(
    "2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R: a permit R expired yesterday counts as none",
    [PermitSigns.twoHourExceptPermitR], list: [PermitRow("7ABC123", "permit R", "2026-01-01", "2026-03-01")],
    [PermitStep("2026-03-02 10:00", .chalked), PermitStep("2026-03-02 12:10", .overstay)]),
  PermitCase(
    "2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R: a permit R valid from tomorrow counts as none",
    [PermitSigns.twoHourExceptPermitR], list: [PermitRow("7ABC123", "permit R", "2026-03-03", "2026-12-31")],
    [PermitStep("2026-03-02 10:00", .chalked), PermitStep("2026-03-02 12:10", .overstay)]),
  PermitCase(
    "2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R: another area's permit S counts as none",
    [PermitSigns.twoHourExceptPermitR], list: [PermitRow("7ABC123", "permit S"), PermitRow("5PRM001", "permit R")],
    [PermitStep("2026-03-02 10:00", .chalked), PermitStep("2026-03-02 12:10", .overstay)]),
  PermitCase(
    "2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R: a holder read one character off, the truth among the alternatives",
    [PermitSigns.twoHourExceptPermitR], list: [PermitRow("7ABC123", "permit R")],
    [PermitStep("2026-03-02 10:00", [("7ABC128", 0.9), ("7ABC123", 0.4)], .skipped(.exempt))]),
  PermitCase(
    "NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R: a valid permit R is exempt", [PermitSigns.noParkingExceptPermitR],
    list: [PermitRow("7ABC123", "permit R")],
    [PermitStep("2026-03-02 10:00", .skipped(.exempt)), PermitStep("2026-03-02 10:20", .skipped(.exempt))]),
  PermitCase(
    "NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R: no permit, seen twice 10 min apart",
    [PermitSigns.noParkingExceptPermitR], list: [PermitRow("5PRM001", "permit R")],
    [PermitStep("2026-03-02 10:00", .chalked), PermitStep("2026-03-02 10:10", .permit)]),
  PermitCase(
    "NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R: a permit R expired yesterday counts as none",
    [PermitSigns.noParkingExceptPermitR], list: [PermitRow("7ABC123", "permit R", "2026-01-01", "2026-03-01")],
    [PermitStep("2026-03-02 10:00", .chalked), PermitStep("2026-03-02 10:10", .permit)]),
  PermitCase(
    "NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R: another area's permit S counts as none",
    [PermitSigns.noParkingExceptPermitR], list: [PermitRow("7ABC123", "permit S")],
    [PermitStep("2026-03-02 10:00", .skipped(.unobservableClass))]),
  PermitCase(
    "PERMIT R ONLY 6PM-8AM: a permit valid to the spring-forward Sunday counts until its local midnight",
    [Signs.permitNight], list: [PermitRow("7ABC123", "permit R", "2026-03-01", "2026-03-08")],
    [
      PermitStep("2026-03-08 23:50", .skipped(.exempt)), PermitStep("2026-03-09 00:05", .chalked),
      PermitStep("2026-03-09 00:15", .permit),
    ]),
  PermitCase(
    "PERMIT R ONLY 6PM-8AM: a permit valid to the fall-back Sunday counts until its local midnight",
    [Signs.permitNight], list: [PermitRow("7ABC123", "permit R", "2026-10-01", "2026-11-01")],
    [
      PermitStep("2026-11-01 23:55", .skipped(.exempt)), PermitStep("2026-11-02 00:02", .chalked),
      PermitStep("2026-11-02 00:12", .permit),
    ]),
  PermitCase(
    "PERMIT R ONLY 6PM-8AM: a permit valid from the spring-forward Sunday counts from its local midnight",
    [Signs.permitNight], list: [PermitRow("7ABC123", "permit R", "2026-03-08", "2026-03-31")],
    [PermitStep("2026-03-07 23:50", .chalked), PermitStep("2026-03-08 00:05", .skipped(.exempt))]),
  PermitCase(
    "2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R: the list replaced mid-shift drops the holder",
    [PermitSigns.twoHourExceptPermitR], list: [PermitRow("7ABC123", "permit R")],
    [
      PermitStep("2026-03-02 09:00", .skipped(.exempt)),
      PermitStep("2026-03-02 10:00", .chalked, list: [PermitRow("5PRM001", "permit R")]),
      PermitStep("2026-03-02 12:10", .overstay),
    ]),
  PermitCase(
    "NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R: the list replaced mid-shift adds the holder",
    [PermitSigns.noParkingExceptPermitR], list: [PermitRow("5PRM001", "permit R")],
    [
      PermitStep("2026-03-02 10:00", .chalked),
      PermitStep("2026-03-02 10:10", .skipped(.exempt), list: [PermitRow("7ABC123", "permit R")]),
    ]),
  PermitCase(
    "NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R: no list yet enforces nothing", [PermitSigns.noParkingExceptPermitR],
    list: nil,
    [PermitStep("2026-03-02 10:00", .skipped(.noPermitList)), PermitStep("2026-03-02 10:30", .skipped(.noPermitList))]),
  PermitCase(
    "2 HR 8AM-6PM MON-SAT EXCEPT PERMIT R: no list yet enforces nothing", [PermitSigns.twoHourExceptPermitR],
    list: nil,
    [PermitStep("2026-03-02 10:00", .skipped(.noPermitList)), PermitStep("2026-03-02 12:10", .skipped(.noPermitList))]),
  PermitCase(
    "2HR 8AM-6PM MON-SAT: no list yet, a limit no permit lifts is enforced", [Signs.twoHour], list: nil,
    [PermitStep("2026-03-02 10:00", .chalked), PermitStep("2026-03-02 12:10", .overstay)]),
  PermitCase(
    "NO PARKING 8AM-6PM MON-SAT EXCEPT PERMIT R: the first list arrives mid-shift",
    [PermitSigns.noParkingExceptPermitR],
    list: nil,
    [
      PermitStep("2026-03-02 10:00", .skipped(.noPermitList)),
      PermitStep("2026-03-02 10:05", .chalked, list: [PermitRow("5PRM001", "permit R")]),
      PermitStep("2026-03-02 10:15", .permit),
    ]),
  PermitCase(
    "2 HR EXCEPT COMMERCIAL: a class no list names is not observable, the limit is not enforced",
    [PermitSigns.twoHourExceptCommercial], list: [PermitRow("5PRM001", "permit R")],
    [PermitStep("2026-03-02 10:00", .skipped(.unobservableClass))]),
  PermitCase(
    "NO PARKING FOR PERMIT W, 2 HR FOR EVERYONE: a listed car gets everyone's rule, never a stricter one",
    [PermitSigns.watchList], list: [PermitRow("7ABC123", "permit W")],
    [PermitStep("2026-03-02 10:00", .chalked), PermitStep("2026-03-02 11:00", .renewed)]),
]

@Suite("Permits")
struct PermitCaseTests {
  static func registry(_ rows: [PermitRow]?, version: Int) -> PermitRegistry {
    guard let rows else { return .none }
    var registry = PermitRegistry(window: KeyWindowID("permits-v\(version)"), version: version, classes: [])
    for row in rows {
      registry.add(
        [Fixtures.key(row.plate, window: registry.window)], to: UserClass(row.userClass),
        validity: .init(from: CivilDate(iso: row.from)!, to: CivilDate(iso: row.to)!))
    }
    return registry
  }

  @Test("permit", arguments: permitCases)
  func permit(_ permitCase: PermitCase) throws {
    let zones = try Fixtures.zoneSet(policies: permitCase.policies)
    var version = 1
    var ledger = ChalkLedger(
      zones: zones, permits: Self.registry(permitCase.list, version: version), logger: Fixtures.logger)
    for (index, step) in permitCase.steps.enumerated() {
      if let list = step.list {
        version += 1
        ledger.permits = Self.registry(list, version: version)
      }
      let sighting = Fixtures.sighting(ledger, at: step.time, plates: step.plates, x: 20)
      let outcome = ledger.decide(sighting)
      #expect(Expect(outcome.decision) == step.expect, "step \(index) at \(step.time)")
    }
  }

  @Test func countsPerClassNameEveryListedClass() {
    var registry = PermitRegistry(window: KeyWindowID("permits-v3"), version: 3, classes: [UserClass("permit Q")])
    registry.add([Fixtures.key("7ABC123", window: registry.window)], to: UserClass("permit R"))
    #expect(registry.countsByClass == [UserClass("permit R"): 1, UserClass("permit Q"): 0])
    #expect(PermitRegistry.none.isVerified == false)
  }
}
