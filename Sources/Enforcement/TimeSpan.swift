// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// A CDS time span: when a curb policy is in effect, read on the zone's local wall clock.
///
/// Every condition that is present must hold. A time of day whose end is not after its start
/// crosses midnight: the span runs from the start on a matching day to the end on the next
/// day, and the day conditions (days of week, days of month, months, designated period) are
/// those of the day it started. The end time is exclusive.
public struct TimeSpan: Sendable, Hashable {
  /// First instant the span applies (CDS `start_date`), inclusive.
  public var startDate: Date?
  /// Instant the span stops applying (CDS `end_date`), exclusive.
  public var endDate: Date?
  /// ISO weekdays, 1 = Monday ... 7 = Sunday (CDS `days_of_week`); `nil` means every day.
  public var daysOfWeek: Set<Int>?
  /// Days of the month, 1...31 (CDS `days_of_month`).
  public var daysOfMonth: Set<Int>?
  /// Weeks of the month, 1...5 (CDS 1.1 `weeks_of_month`): week *n* is days 7(*n*−1)+1 to 7*n*,
  /// so with `days_of_week` `[2, 4]` reads as a sign's "2nd and 4th Tuesday".
  public var weeksOfMonth: Set<Int>?
  /// Months, 1...12 (CDS `months`).
  public var months: Set<Int>?
  /// Seconds after local midnight the span starts (CDS `time_of_day_start`); `nil` is 00:00.
  public var timeOfDayStart: Int?
  /// Seconds after local midnight the span ends, exclusive (CDS `time_of_day_end`); `nil` is 24:00.
  public var timeOfDayEnd: Int?
  /// Name of a designated period, such as `holidays` (CDS `designated_period`).
  public var designatedPeriod: String?
  /// When true the span applies on every day except the designated period's days.
  public var designatedPeriodExcept: Bool

  /// Creates a time span.
  public init(
    startDate: Date? = nil, endDate: Date? = nil, daysOfWeek: Set<Int>? = nil, daysOfMonth: Set<Int>? = nil,
    weeksOfMonth: Set<Int>? = nil, months: Set<Int>? = nil, timeOfDayStart: Int? = nil, timeOfDayEnd: Int? = nil,
    designatedPeriod: String? = nil,
    designatedPeriodExcept: Bool = false
  ) {
    self.startDate = startDate
    self.endDate = endDate
    self.daysOfWeek = daysOfWeek
    self.daysOfMonth = daysOfMonth
    self.weeksOfMonth = weeksOfMonth
    self.months = months
    self.timeOfDayStart = timeOfDayStart
    self.timeOfDayEnd = timeOfDayEnd
    self.designatedPeriod = designatedPeriod
    self.designatedPeriodExcept = designatedPeriodExcept
  }

  /// Start of the daily window in seconds after midnight.
  var dailyStart: Int { timeOfDayStart ?? 0 }
  /// End of the daily window in seconds after midnight (86,400 for the end of the day).
  var dailyEnd: Int { timeOfDayEnd ?? 86_400 }
  /// Whether the daily window runs past midnight into the next day.
  public var crossesMidnight: Bool { dailyEnd <= dailyStart }

  /// Whether the span applies at an instant.
  /// - Parameters:
  ///   - time: the instant.
  ///   - moment: the same instant on the zone's wall clock.
  ///   - periods: designated periods by name, as sets of local day numbers.
  public func contains(_ time: Date, moment: LocalClock.Moment, periods: [String: Set<Int>]) -> Bool {
    if let startDate, time < startDate { return false }
    if let endDate, time >= endDate { return false }
    let second = moment.secondOfDay
    if !crossesMidnight {
      return second >= dailyStart && second < dailyEnd && dayMatches(moment.dayNumber, periods: periods)
    }
    if second >= dailyStart { return dayMatches(moment.dayNumber, periods: periods) }
    if second < dailyEnd { return dayMatches(moment.dayNumber - 1, periods: periods) }
    return false
  }

  /// Whether a local day satisfies the day conditions (the day a daily window starts).
  func dayMatches(_ dayNumber: Int, periods: [String: Set<Int>]) -> Bool {
    if let daysOfWeek, !daysOfWeek.contains(CivilDate.isoWeekday(dayNumber: dayNumber)) { return false }
    if daysOfMonth != nil || weeksOfMonth != nil || months != nil {
      let date = CivilDate(dayNumber: dayNumber)
      if let daysOfMonth, !daysOfMonth.contains(date.day) { return false }
      if let weeksOfMonth, !weeksOfMonth.contains((date.day - 1) / 7 + 1) { return false }
      if let months, !months.contains(date.month) { return false }
    }
    if let designatedPeriod {
      let inPeriod = periods[designatedPeriod]?.contains(dayNumber) ?? false
      if inPeriod == designatedPeriodExcept { return false }
    }
    return true
  }

  /// Instants in `[from, to]` where the span may switch on or off (a superset is fine).
  func breakpoints(from: Date, to: Date, clock: LocalClock, into points: inout [Date]) {
    if let startDate, startDate > from, startDate < to { points.append(startDate) }
    if let endDate, endDate > from, endDate < to { points.append(endDate) }
    let first = clock.moment(from).dayNumber - 1
    let last = clock.moment(to).dayNumber + 1
    guard first <= last else { return }
    for day in first...last {
      for second in [0, dailyStart, dailyEnd % 86_400] {
        for instant in clock.instants(dayNumber: day, secondOfDay: second) where instant > from && instant < to {
          points.append(instant)
        }
      }
    }
  }
}
