// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing

@testable import Enforcement

// Dates: 2026-03-02 is a Monday; 2026-03-04 is a test holiday; 2026-03-08 (Sunday) springs
// forward at 02:00 PST; 2026-11-01 (Sunday) falls back at 02:00 PDT; 2026-03-10 is the 2nd Tuesday.
let signCases: [SignCase] = [
  // MARK: 2HR 8AM-6PM MON-SAT
  SignCase("2HR 8AM-6PM MON-SAT: the first sighting chalks", [Signs.twoHour], [Step("2026-03-02 09:00", .chalked)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: seen again after 1 h 30 is within the limit", [Signs.twoHour],
    [Step("2026-03-02 09:00", .chalked), Step("2026-03-02 10:30", .renewed)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: seen after 2 h 10 is a candidate", [Signs.twoHour],
    [Step("2026-03-02 09:00", .chalked), Step("2026-03-02 11:10", .overstay, confidence: 0.9)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: 2 h 04 is within the 5 min grace", [Signs.twoHour],
    [Step("2026-03-02 09:00", .chalked), Step("2026-03-02 11:04", .renewed)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: one stay is flagged once", [Signs.twoHour],
    [
      Step("2026-03-02 09:00", .chalked), Step("2026-03-02 11:10", .overstay),
      Step("2026-03-02 12:30", .skipped(.alreadyFlagged)),
    ]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: Sunday is outside enforcement hours", [Signs.twoHour],
    [Step("2026-03-01 10:00", .skipped(.outsideEnforcementHours))]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: 07:59 is outside, 08:00 is inside", [Signs.twoHour],
    [Step("2026-03-02 07:59", .skipped(.outsideEnforcementHours)), Step("2026-03-02 08:00", .chalked)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: 6PM is exclusive", [Signs.twoHour],
    [Step("2026-03-02 18:00", .skipped(.outsideEnforcementHours))]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: a chalk at 17:30 checked the next morning at 08:30 has 1 h enforced", [Signs.twoHour],
    [Step("2026-03-02 17:30", .chalked), Step("2026-03-03 08:30", .renewed)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: a chalk at 17:30 checked the next morning at 09:45 has 2 h 15 enforced", [Signs.twoHour],
    [Step("2026-03-02 17:30", .chalked), Step("2026-03-03 09:45", .overstay)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: a chalk past its 24 h lifetime starts over", [Signs.twoHour],
    [Step("2026-03-07 17:00", .chalked), Step("2026-03-09 09:10", .chalked)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: with a 48 h lifetime, Saturday 17:00 to Monday 09:10 is 2 h 10 (Sunday not enforced)",
    [Signs.twoHour], configuration: .init(chalkLifetime: 172_800),
    [Step("2026-03-07 17:00", .chalked), Step("2026-03-09 09:10", .overstay)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: a car that moved 30 m along the block starts a new chalk", [Signs.twoHour],
    [Step("2026-03-02 09:00", x: 20, .chalked), Step("2026-03-02 11:10", x: 50, .chalked)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: a 3 m drift between passes is the same place", [Signs.twoHour],
    [Step("2026-03-02 09:00", x: 20, .chalked), Step("2026-03-02 11:10", x: 23, .overstay)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: two cars that swap spaces are both chalked afresh", [Signs.twoHour],
    [
      Step("2026-03-02 09:00", "7ABC123", x: 20, .chalked), Step("2026-03-02 09:00", "8XYZ789", x: 40, .chalked),
      Step("2026-03-02 11:10", "7ABC123", x: 40, .chalked), Step("2026-03-02 11:10", "8XYZ789", x: 20, .chalked),
    ]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: a second read one character wrong matches on its alternative", [Signs.twoHour],
    [
      Step("2026-03-02 09:00", [("7ABC123", 0.9), ("7A8C123", 0.4)], .chalked),
      Step("2026-03-02 11:10", [("7ABC128", 0.8), ("7ABC123", 0.6)], .overstay, confidence: 0.6),
    ]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: a second read one character wrong with no matching alternative is a new chalk",
    [Signs.twoHour], [Step("2026-03-02 09:00", "7ABC123", .chalked), Step("2026-03-02 11:10", "7ABC128", .chalked)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: O read for 0 matches after canonical folding", [Signs.twoHour],
    [Step("2026-03-02 09:00", "7ABCO23", .chalked), Step("2026-03-02 11:10", "7abc 023", .overstay)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: an alternative match below the match confidence is not the same car", [Signs.twoHour],
    [
      Step("2026-03-02 09:00", "7ABC123", .chalked),
      Step("2026-03-02 11:10", [("7XYZ999", 0.9), ("7ABC123", 0.2)], .chalked),
    ]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: GPS error larger than the tolerance decides nothing", [Signs.twoHour],
    [Step("2026-03-02 09:00", u: 8, .chalked), Step("2026-03-02 11:10", u: 8, .skipped(.positionTooUncertain))]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: a position uncertain by 15 m is skipped", [Signs.twoHour],
    [Step("2026-03-02 09:00", u: 15, .skipped(.positionTooUncertain))]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: no GPS fix", [Signs.twoHour], [Step("2026-03-02 09:00", x: nil, .skipped(.noFix))]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: a low-confidence read", [Signs.twoHour],
    [Step("2026-03-02 09:00", [("7ABC123", 0.3), ("7ABC12", 0.2)], .skipped(.lowConfidence))]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: across the street is outside every zone", [Signs.twoHour],
    [Step("2026-03-02 09:00", [("7ABC123", 0.9)], y: 30, .skipped(.outsideEveryZone))]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: 2 m off the polygon within a 3 m uncertainty is in the zone", [Signs.twoHour],
    [Step("2026-03-02 09:00", [("7ABC123", 0.9)], y: -2, u: 3, .chalked)]),
  SignCase(
    "2HR 8AM-6PM MON-SAT: in the gap between two block faces is ambiguous", [Signs.twoHour],
    [Step("2026-03-02 09:00", [("7ABC123", 0.9)], x: 121, u: 3, .skipped(.ambiguousZone))]),

  // MARK: 2HR NO RETURN WITHIN 3HR
  SignCase(
    "2HR NO RETURN 3HR: a car that left and came back within 3 h after its full stay", [Signs.twoHourNoReturn],
    [
      Step("2026-03-02 09:00", x: 20, .chalked), Step("2026-03-02 11:10", x: 20, .overstay),
      Step("2026-03-02 11:40", x: 60, .noReturn),
    ]),
  SignCase(
    "2HR NO RETURN 3HR: a car that left and came back after 3 h", [Signs.twoHourNoReturn],
    [
      Step("2026-03-02 09:00", x: 20, .chalked), Step("2026-03-02 11:00", x: 20, .renewed),
      Step("2026-03-02 15:00", x: 60, .chalked),
    ]),
  SignCase(
    "2HR NO RETURN 3HR: a car that moved after 1 h has not used its stay", [Signs.twoHourNoReturn],
    [
      Step("2026-03-02 09:00", x: 20, .chalked), Step("2026-03-02 10:00", x: 20, .renewed),
      Step("2026-03-02 10:30", x: 60, .chalked),
    ]),

  // MARK: 1HR 9AM-6PM EXCEPT SUNDAYS AND HOLIDAYS
  SignCase(
    "1HR 9AM-6PM except Sundays and holidays: 1 h 06 on a Monday", [Signs.oneHourExceptSundaysHolidays],
    [Step("2026-03-02 09:00", .chalked), Step("2026-03-02 10:06", .overstay)]),
  SignCase(
    "1HR 9AM-6PM except Sundays and holidays: a holiday is not enforced", [Signs.oneHourExceptSundaysHolidays],
    [Step("2026-03-04 10:00", .skipped(.outsideEnforcementHours))]),
  SignCase(
    "1HR 9AM-6PM except Sundays and holidays: a holiday in between does not count",
    [Signs.oneHourExceptSundaysHolidays], configuration: .init(chalkLifetime: 172_800),
    [Step("2026-03-03 17:30", .chalked), Step("2026-03-05 09:20", .renewed), Step("2026-03-05 09:40", .overstay)]),
  SignCase(
    "1HR 9AM-6PM except Sundays and holidays: Sunday is not enforced", [Signs.oneHourExceptSundaysHolidays],
    [Step("2026-03-01 12:00", .skipped(.outsideEnforcementHours))]),
  SignCase(
    "1HR 9AM-6PM except Sundays and holidays: Saturday is", [Signs.oneHourExceptSundaysHolidays],
    [Step("2026-03-07 09:00", .chalked), Step("2026-03-07 10:10", .overstay)]),

  // MARK: PERMIT R 6PM-8AM
  SignCase(
    "Permit R 6PM-8AM: no permit, seen twice 10 min apart", [Signs.permitNight],
    [Step("2026-03-02 22:00", .chalked), Step("2026-03-02 22:10", .permit)]),
  SignCase(
    "Permit R 6PM-8AM: a permit holder is exempt", [Signs.permitNight], permits: ["permit R": ["7ABC123"]],
    [Step("2026-03-02 22:00", .skipped(.exempt))]),
  SignCase(
    "Permit R 6PM-8AM: a permit on a lower alternative still exempts", [Signs.permitNight],
    permits: ["permit R": ["7ABC128"]],
    [Step("2026-03-02 22:00", [("7ABC123", 0.9), ("7ABC128", 0.4)], .skipped(.exempt))]),
  SignCase(
    "Permit R 6PM-8AM: 3 min is below the minimum observation", [Signs.permitNight],
    [Step("2026-03-02 22:00", .chalked), Step("2026-03-02 22:03", .renewed)]),
  SignCase(
    "Permit R 6PM-8AM: the span crosses midnight", [Signs.permitNight],
    [Step("2026-03-02 23:55", .chalked), Step("2026-03-03 00:05", .permit)]),
  SignCase(
    "Permit R 6PM-8AM: 8AM ends the span", [Signs.permitNight],
    [Step("2026-03-03 07:59", .chalked), Step("2026-03-03 08:00", .skipped(.outsideEnforcementHours))]),
  SignCase(
    "Permit R 6PM-8AM: without a minimum observation the first sighting is a candidate", [Signs.permitNight],
    configuration: .init(permitMinimumObservation: 0), [Step("2026-03-02 22:00", .permit)]),
  SignCase(
    "Permit R 6PM-8AM with 2HR by day: a 17:50 chalk does not carry into the permit span",
    [Signs.permitNight, Signs.twoHourPermitExempt],
    [Step("2026-03-02 17:50", .chalked), Step("2026-03-02 18:20", .chalked), Step("2026-03-02 18:30", .permit)]),
  SignCase(
    "2HR 8AM-6PM MON-FRI permit R exempt: a permit holder is not chalked", [Signs.twoHourPermitExempt],
    permits: ["permit R": ["7ABC123"]], [Step("2026-03-02 10:00", .skipped(.exempt))]),
  SignCase(
    "2HR 8AM-6PM MON-FRI permit R exempt: anyone else is", [Signs.twoHourPermitExempt],
    permits: ["permit R": ["5PRM001"]], [Step("2026-03-02 10:00", .chalked), Step("2026-03-02 12:10", .overstay)]),

  // MARK: NO PARKING 7AM-9AM 2ND TUESDAY (street sweeping)
  SignCase(
    "No parking 7AM-9AM 2nd Tuesday street sweeping: not a rule Chalkline enforces", [Signs.sweeping, Signs.twoHour],
    [Step("2026-03-10 07:30", .skipped(.ruleNotEnforced)), Step("2026-03-10 08:30", .skipped(.ruleNotEnforced))]),
  SignCase(
    "No parking 7AM-9AM 2nd Tuesday street sweeping: the sweeping hour does not count toward 2HR",
    [Signs.sweeping, Signs.twoHour],
    [Step("2026-03-09 17:30", .chalked), Step("2026-03-10 09:45", .renewed), Step("2026-03-10 10:40", .overstay)]),
  SignCase(
    "No parking 7AM-9AM 2nd Tuesday street sweeping: the 1st Tuesday has none", [Signs.sweeping, Signs.twoHour],
    [Step("2026-03-03 08:30", .chalked)]),

  // MARK: Daylight saving
  SignCase(
    "2HR 12AM-6AM on the spring-forward night: 01:30 to 03:45 is 1 h 15", [Signs.twoHourNight],
    [Step("2026-03-08 01:30", .chalked), Step("2026-03-08 03:45", .renewed)]),
  SignCase(
    "1HR 12AM-6AM on the fall-back night: 01:10 PDT to 01:50 PST is 1 h 40", [Signs.oneHourNight],
    [Step("2026-11-01T01:10:00-07:00", .chalked), Step("2026-11-01T01:50:00-08:00", .overstay)]),
  SignCase(
    "2HR 8AM-6PM DAILY: Saturday 17:30 to fall-back Sunday 09:40 is 2 h 10", [Signs.twoHourDaily],
    [Step("2026-10-31 17:30", .chalked), Step("2026-11-01 09:40", .overstay)]),
  SignCase(
    "2HR 8AM-6PM DAILY: Saturday 17:30 to spring-forward Sunday 09:30 is 2 h", [Signs.twoHourDaily],
    [Step("2026-03-07 17:30", .chalked), Step("2026-03-08 09:30", .renewed)]),
]

@Suite("Signs")
struct SignCaseTests {
  @Test("sign", arguments: signCases + cdsSignCases)
  func sign(_ signCase: SignCase) throws {
    let zones = try Fixtures.zoneSet(policies: signCase.policies)
    var ledger = ChalkLedger(
      zones: zones, permits: signCase.noPermitList ? .none : Fixtures.permits(signCase.permits),
      configuration: signCase.configuration,
      logger: Fixtures.logger)
    for (index, step) in signCase.steps.enumerated() {
      let sighting = Fixtures.sighting(
        ledger, at: step.time, plates: step.plates, x: step.x, y: step.y, uncertainty: step.uncertainty)
      let outcome = ledger.decide(sighting)
      #expect(Expect(outcome.decision) == step.expect, "step \(index) at \(step.time)")
      if let confidence = step.confidence, case .candidate(let candidate) = outcome.decision {
        #expect(abs(candidate.confidence - confidence) < 1e-9, "step \(index) confidence")
      }
    }
  }

  @Test func tableHasAtLeastFortyCases() {
    #expect(signCases.count >= 40)
  }
}
