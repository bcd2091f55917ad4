// SPDX-License-Identifier: AGPL-3.0-or-later
import Enforcement

/// CDS policies for the signs whose reading depends on CDS semantics: priority among policies
/// for the same user class, `user_classes` as AND, `user_classes_except`, operator-bound policies,
/// `weeks_of_month` and the longer units of time.
enum CDSSigns {
  /// RIDESHARE + ELECTRIC 15 MIN 8AM-6PM MON-SAT, priority 1 (the official Policies example's shape)
  static let rideshareElectric15 = #"""
    "priority": 1, "rules": [{"activity": "parking", "max_stay": 15, "user_classes": ["rideshare", "electric"]}],
    "time_spans": [{"days_of_week": \#(Signs.monSat), "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#

  /// 2HR 8AM-6PM MON-SAT, priority 2 (the everyone-policy under it)
  static let twoHourPriority2 = #"""
    "priority": 2, "rules": [{"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}],
    "time_spans": [{"days_of_week": \#(Signs.monSat), "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#

  /// 2HR 8AM-6PM MON-SAT, PERMIT R ELECTRIC VEHICLES EXEMPT (both classes needed)
  static let twoHourPermitElectricExempt = #"""
    "priority": 10,
    "rules": [{"activity": "parking", "user_classes": ["permit R", "electric"]},
              {"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}],
    "time_spans": [{"days_of_week": \#(Signs.monSat), "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#

  /// NO PARKING 6PM-8AM EXCEPT PERMIT R (CDS 1.1 `user_classes_except`)
  static let noParkingExceptPermit = #"""
    "priority": 5, "rules": [{"activity": "no parking", "user_classes_except": ["permit R"]}],
    "time_spans": [{"time_of_day_start": "18:00", "time_of_day_end": "08:00"}]
    """#

  /// NO PARKING 8AM-6PM EXCEPT ELECTRIC VEHICLES, priority 1
  static let noParkingExceptElectric = #"""
    "priority": 1, "rules": [{"activity": "no parking", "user_classes_except": ["electric"]}],
    "time_spans": [{"days_of_week": \#(Signs.monSat), "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#

  /// FLEET OPERATORS 15 MIN MON-FRI 10AM-4PM (the official example's `data_source_operator_id` policy)
  static let operatorFleets15 = #"""
    "priority": 1, "data_source_operator_id": ["b2046faf-2bc2-4f0e-b784-7cc746138555"],
    "rules": [{"activity": "parking", "max_stay": 15}],
    "time_spans": [{"days_of_week": \#(Signs.monFri), "time_of_day_start": "10:00", "time_of_day_end": "16:00"}]
    """#

  /// NO PARKING 7AM-9AM 2ND & 4TH TUESDAY (street sweeping, CDS 1.1 `weeks_of_month`)
  static let sweepingWeeks = #"""
    "priority": 1, "rules": [{"activity": "no parking"}],
    "time_spans": [{"days_of_week": ["tue"], "weeks_of_month": [2, 4], "time_of_day_start": "07:00",
                    "time_of_day_end": "09:00"}]
    """#

  /// 1 WEEK MAX (`max_stay_unit: week`), at all times
  static let oneWeek = #"""
    "priority": 10, "rules": [{"activity": "parking", "max_stay": 1, "max_stay_unit": "week"}]
    """#
}

// Dates: 2026-03-02 is a Monday; 2026-03-10 and 2026-03-24 are the 2nd and 4th Tuesdays of March,
// 2026-03-03 the 1st and 2026-03-31 the 5th.
let cdsSignCases: [SignCase] = [
  // MARK: priority ranks only policies for the same user class
  SignCase(
    "RIDESHARE+ELECTRIC 15 MIN (priority 1) over 2HR (priority 2): an unclassified car is under the 2 h",
    [CDSSigns.rideshareElectric15, CDSSigns.twoHourPriority2],
    [Step("2026-03-02 09:00", .chalked), Step("2026-03-02 10:30", .renewed), Step("2026-03-02 11:10", .overstay)]),
  SignCase(
    "RIDESHARE+ELECTRIC 15 MIN alone: a car of no class has no rule, so it is not chalked",
    [CDSSigns.rideshareElectric15], [Step("2026-03-02 09:00", .skipped(.exempt))]),
  // MARK: user_classes is AND
  SignCase(
    "2HR, PERMIT R ELECTRIC EXEMPT: a permit R holder not known to be electric is under the 2 h",
    [CDSSigns.twoHourPermitElectricExempt], permits: ["permit R": ["7ABC123"]],
    [Step("2026-03-02 09:00", .chalked), Step("2026-03-02 11:10", .overstay)]),
  SignCase(
    "2HR, PERMIT R EXEMPT: the same holder is exempt where the permit alone suffices", [Signs.twoHourPermitExempt],
    permits: ["permit R": ["7ABC123"]], [Step("2026-03-02 09:00", .skipped(.exempt))]),
  // MARK: user_classes_except
  SignCase(
    "NO PARKING 6PM-8AM EXCEPT PERMIT R: a car without the permit becomes a permit candidate",
    [CDSSigns.noParkingExceptPermit], permits: ["permit R": ["5PRM001"]],
    [Step("2026-03-02 22:00", .chalked), Step("2026-03-02 22:10", .permit)]),
  SignCase(
    "NO PARKING 6PM-8AM EXCEPT PERMIT R: a holder is not chalked", [CDSSigns.noParkingExceptPermit],
    permits: ["permit R": ["7ABC123"]], [Step("2026-03-02 22:00", .skipped(.exempt))]),
  SignCase(
    "NO PARKING 6PM-8AM EXCEPT PERMIT R: without the permit list no car can be shown to lack it",
    [CDSSigns.noParkingExceptPermit], noPermitList: true, [Step("2026-03-02 22:00", .skipped(.exempt))]),
  SignCase(
    "NO PARKING EXCEPT ELECTRIC (priority 1) over 2HR: electric cannot be seen, so the 2 h applies",
    [CDSSigns.noParkingExceptElectric, CDSSigns.twoHourPriority2],
    [Step("2026-03-02 09:00", .chalked), Step("2026-03-02 11:10", .overstay)]),
  // MARK: data_source_operator_id
  SignCase(
    "FLEET OPERATORS 15 MIN (data_source_operator_id) over 2HR: a parked car shows no operator, the 2 h applies",
    [CDSSigns.operatorFleets15, CDSSigns.twoHourPriority2],
    [Step("2026-03-02 10:00", .chalked), Step("2026-03-02 10:20", .renewed), Step("2026-03-02 12:10", .overstay)]),
  // MARK: weeks_of_month
  SignCase(
    "NO PARKING 7AM-9AM 2ND & 4TH TUESDAY: the 2nd Tuesday is sweeping", [CDSSigns.sweepingWeeks, Signs.twoHour],
    [Step("2026-03-10 07:30", .skipped(.ruleNotEnforced))]),
  SignCase(
    "NO PARKING 7AM-9AM 2ND & 4TH TUESDAY: the 4th Tuesday is sweeping", [CDSSigns.sweepingWeeks, Signs.twoHour],
    [Step("2026-03-24 08:30", .skipped(.ruleNotEnforced))]),
  SignCase(
    "NO PARKING 7AM-9AM 2ND & 4TH TUESDAY: the 1st and 5th Tuesdays are not",
    [CDSSigns.sweepingWeeks, Signs.twoHour],
    [Step("2026-03-03 08:30", .chalked), Step("2026-03-31 08:30", "8XYZ789", .chalked)]),
  // MARK: GPS uncertainty and the same place
  SignCase(
    "2HR 8AM-6PM MON-SAT with a 36 m receiver: a sighting that uncertain is counted, not chalked", [Signs.twoHour],
    [Step("2026-03-02 09:00", x: 20, u: 36, .skipped(.positionTooUncertain))]),
  SignCase(
    "2HR 8AM-6PM MON-SAT with 6 m fixes: a car 15 m along is not the same place", [Signs.twoHour],
    [
      Step("2026-03-02 09:00", x: 20, u: 6, .chalked),
      Step("2026-03-02 11:10", x: 35, u: 6, .skipped(.positionTooUncertain)),
    ]),
  // MARK: units of time
  SignCase(
    "1 WEEK MAX: 6 days 23 h is within, 1 week 10 min is a candidate", [CDSSigns.oneWeek],
    configuration: .init(chalkLifetime: 864_000),
    [Step("2026-04-06 09:00", .chalked), Step("2026-04-13 08:00", .renewed), Step("2026-04-13 09:10", .overstay)]),
]
