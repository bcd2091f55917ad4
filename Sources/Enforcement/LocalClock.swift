// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// A civil date: year, month and day, as in a designated-period list.
public struct CivilDate: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
  public var year: Int
  public var month: Int
  public var day: Int

  /// Creates a civil date (not validated).
  public init(year: Int, month: Int, day: Int) {
    self.year = year
    self.month = month
    self.day = day
  }

  /// Parses `YYYY-MM-DD`, or returns `nil`.
  public init?(iso text: String) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m),
      (1...LocalClock.daysIn(month: m, year: y)).contains(d)
    else { return nil }
    self.init(year: y, month: m, day: d)
  }

  /// Days since 1970-01-01 (proleptic Gregorian), after Howard Hinnant's `days_from_civil`.
  public var dayNumber: Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  /// The civil date of a day number (inverse of ``dayNumber``).
  public init(dayNumber z0: Int) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
  }

  /// ISO weekday of a day number: 1 = Monday ... 7 = Sunday.
  public static func isoWeekday(dayNumber: Int) -> Int {
    // 1970-01-01 was a Thursday (4).
    let r = (dayNumber + 3) % 7
    return (r < 0 ? r + 7 : r) + 1
  }

  public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool { lhs.dayNumber < rhs.dayNumber }
  public var description: String {
    func pad(_ value: Int, _ width: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
  }
}

/// Wall-clock arithmetic in one IANA time zone, without `Calendar` (which is slow in a hot loop).
///
/// Offsets come from `TimeZone.secondsFromGMT(for:)`, so daylight-saving rules are the system's
/// tz database's. A local time that does not exist (the skipped hour in spring) or exists twice
/// (the repeated hour in autumn) is handled by the callers, which evaluate instants, never
/// wall-clock times.
public struct LocalClock: Sendable {
  /// The zone's time zone.
  public let timeZone: TimeZone
  /// UTC offset changes from 1990 to 2100: `(first instant, offset from then on)`, in order.
  /// Looking an offset up here is a binary search instead of a call into the tz database,
  /// which the enforced-time integration makes hundreds of times per decision.
  private let transitions: [(start: Double, offset: Int)]
  private let tableStart: Double
  private let tableEnd: Double

  /// Creates a clock for a time zone.
  public init(timeZone: TimeZone) {
    self.timeZone = timeZone
    let start = Date(timeIntervalSince1970: 631_152_000)  // 1990-01-01
    let end = Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01
    var table = [(start.timeIntervalSince1970, timeZone.secondsFromGMT(for: start))]
    var cursor = start
    while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor), next < end, table.count < 1_000 {
      let offset = timeZone.secondsFromGMT(for: next)
      if offset != table[table.count - 1].1 { table.append((next.timeIntervalSince1970, offset)) }
      cursor = next
    }
    transitions = table
    tableStart = start.timeIntervalSince1970
    tableEnd = end.timeIntervalSince1970
  }

  /// Seconds east of UTC at an instant.
  public func offset(at time: Date) -> Int {
    let t = time.timeIntervalSince1970
    guard t >= tableStart, t < tableEnd else { return timeZone.secondsFromGMT(for: time) }
    var low = 0
    var high = transitions.count - 1
    while low < high {
      let middle = (low + high + 1) / 2
      if transitions[middle].start <= t { low = middle } else { high = middle - 1 }
    }
    return transitions[low].offset
  }

  /// A moment seen on the local wall clock.
  public struct Moment: Sendable, Hashable {
    /// Local day number (days since 1970-01-01 in local civil time).
    public var dayNumber: Int
    /// Seconds since local midnight, 0..<86_400 (a 25-hour day repeats an hour's seconds).
    public var secondOfDay: Int
    public var date: CivilDate { CivilDate(dayNumber: dayNumber) }
    public var isoWeekday: Int { CivilDate.isoWeekday(dayNumber: dayNumber) }
  }

  /// The local wall-clock moment of an instant.
  public func moment(_ time: Date) -> Moment {
    let offset = offset(at: time)
    let local = Int(floor(time.timeIntervalSince1970)) + offset
    let day = Int(floor(Double(local) / 86_400))
    return Moment(dayNumber: day, secondOfDay: local - day * 86_400)
  }

  /// Every instant whose wall clock reads `secondOfDay` on local day `dayNumber`, earliest first.
  ///
  /// Returns none for a time in the spring gap and two in the autumn overlap. For the gap the
  /// instant where the clock jumps is returned instead, so a span boundary inside the gap still
  /// yields a breakpoint.
  public func instants(dayNumber: Int, secondOfDay: Int) -> [Date] {
    let local = Double(dayNumber * 86_400 + secondOfDay)
    // Offsets in force a day either side cover any transition near this local time.
    var guesses: [Int] = []
    for offset in [
      offset(at: Date(timeIntervalSince1970: local - 86_400)),
      offset(at: Date(timeIntervalSince1970: local)),
      offset(at: Date(timeIntervalSince1970: local + 86_400)),
    ] where !guesses.contains(offset) {
      guesses.append(offset)
    }
    var found: [Date] = []
    for offset in guesses {
      let candidate = Date(timeIntervalSince1970: local - Double(offset))
      if self.offset(at: candidate) == offset { found.append(candidate) }
    }
    if found.isEmpty, let gapStart = guesses.map({ Date(timeIntervalSince1970: local - Double($0)) }).min() {
      // In the spring gap: the transition instant is the next one the clock shows after it.
      found.append(timeZone.nextDaylightSavingTimeTransition(after: gapStart.addingTimeInterval(-7_200)) ?? gapStart)
    }
    return found.sorted()
  }

  /// Days in a month of the Gregorian calendar.
  public static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }
}
