// SPDX-License-Identifier: AGPL-3.0-or-later

/// CDS policies (without their id) for the signs the table tests read.
enum Signs {
  static let monSat = #"["mon", "tue", "wed", "thu", "fri", "sat"]"#
  static let monFri = #"["mon", "tue", "wed", "thu", "fri"]"#

  /// 2HR 8AM-6PM MON-SAT
  static let twoHour = #"""
    "priority": 10, "rules": [{"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}],
    "time_spans": [{"days_of_week": \#(monSat), "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#

  /// 2HR 8AM-6PM DAILY
  static let twoHourDaily = #"""
    "priority": 10, "rules": [{"activity": "parking", "max_stay": 120}],
    "time_spans": [{"time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#

  /// 2HR 8AM-6PM MON-SAT, NO RETURN WITHIN 3HR
  static let twoHourNoReturn = #"""
    "priority": 10,
    "rules": [{"activity": "parking", "max_stay": 2, "max_stay_unit": "hour", "no_return": 3, "no_return_unit": "hour"}],
    "time_spans": [{"days_of_week": \#(monSat), "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#

  /// 2HR 8AM-6PM MON-FRI, PERMIT R EXEMPT
  static let twoHourPermitExempt = #"""
    "priority": 10,
    "rules": [{"activity": "parking", "user_classes": ["permit R"]}, {"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}],
    "time_spans": [{"days_of_week": \#(monFri), "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
    """#

  /// 1HR 9AM-6PM EXCEPT SUNDAYS AND HOLIDAYS
  static let oneHourExceptSundaysHolidays = #"""
    "priority": 10, "rules": [{"activity": "parking", "max_stay": 1, "max_stay_unit": "hour"}],
    "time_spans": [{"days_of_week": \#(monSat), "time_of_day_start": "09:00", "time_of_day_end": "18:00",
                    "designated_period": "holidays", "designated_period_except": true}]
    """#

  /// PERMIT R ONLY 6PM-8AM (a span across midnight)
  static let permitNight = #"""
    "priority": 5, "rules": [{"activity": "parking", "user_classes": ["permit R"]}, {"activity": "no parking"}],
    "time_spans": [{"time_of_day_start": "18:00", "time_of_day_end": "08:00"}]
    """#

  /// NO PARKING 7AM-9AM 2ND TUESDAY (street sweeping)
  static let sweeping = #"""
    "priority": 1, "rules": [{"activity": "no parking"}],
    "time_spans": [{"days_of_week": ["tue"], "days_of_month": [8, 9, 10, 11, 12, 13, 14],
                    "time_of_day_start": "07:00", "time_of_day_end": "09:00"}]
    """#

  /// 2HR 12AM-6AM (night-time limit, to read the daylight-saving nights)
  static let twoHourNight = #"""
    "priority": 10, "rules": [{"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}],
    "time_spans": [{"time_of_day_start": "00:00", "time_of_day_end": "06:00"}]
    """#

  /// 1HR 12AM-6AM
  static let oneHourNight = #"""
    "priority": 10, "rules": [{"activity": "parking", "max_stay": 60, "max_stay_unit": "minute"}],
    "time_spans": [{"time_of_day_start": "00:00", "time_of_day_end": "06:00"}]
    """#
}
