// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

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
}
