// SPDX-License-Identifier: AGPL-3.0-or-later
import FoundationEssentials

/// TIME in every project format (frame dumps, gpsd reports, the wire, the hub's tables): ISO 8601
/// UTC with milliseconds, `2026-03-02T09:00:00.000Z`, as gpsd writes it.
///
/// A time is a whole number of milliseconds: ``format(_:)`` and ``parse(_:)`` both round to the
/// nearest one, halves away from zero (Foundation's formatter alone truncates, which would turn a
/// `.123` held as `.12299…` into `.122`). The calendar part is Foundation's ISO 8601 format style;
/// the layout is checked strictly first, because the style alone also takes `2026-3-2`, offsets
/// other than `Z` and a 30th of February.
public enum UTCTime {
  private static let style = Date.ISO8601FormatStyle(timeZone: .gmt)

  /// Formats a time with millisecond precision, rounded to the nearest millisecond.
  public static func format(_ date: Date) -> String {
    let (seconds, millis) = floorDivision(date.millisecondsSince1970, 1000)
    let whole = style.format(Date(timeIntervalSince1970: Double(seconds)))
    let digits = String(millis)
    return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z` (any number of fraction digits, rounded to the
  /// millisecond; a leap second `:60` is the next minute's first); nil for anything else.
  public static func parse(_ text: some StringProtocol) -> Date? {
    let b = Array(text.utf8)
    guard b.count >= 20, b.last == UInt8(ascii: "Z"), b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
      b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":")
    else { return nil }
    func number(_ range: Range<Int>) -> Int? {
      var value = 0
      for i in range {
        guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
        value = value * 10 + Int(b[i] - 0x30)
      }
      return value
    }
    guard let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
      let minute = number(14..<16), let second = number(17..<19), number(0..<4) != nil, (1...12).contains(month),
      (1...CivilDate.daysIn(month: month, year: number(0..<4)!)).contains(day), hour < 24, minute < 60, second < 61
    else { return nil }
    var millis: Int64 = 0
    if b.count > 20 {
      // Nanoseconds are read; more digits (an Int would overflow on the 19th) must still be digits.
      let kept = 20..<min(b.count - 1, 29)
      guard b[19] == UInt8(ascii: "."), b.count > 21, let digits = number(kept),
        b[kept.upperBound..<(b.count - 1)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
      else { return nil }
      var scale = 1
      for _ in kept { scale *= 10 }
      millis = Int64((Double(digits) * 1000 / Double(scale)).rounded())
    } else if b[19] != UInt8(ascii: "Z") {
      return nil
    }
    // The style reads the whole seconds; leap seconds it carries into the next minute itself.
    let whole = String(decoding: b[0..<19], as: UTF8.self) + "Z"
    guard let seconds = try? style.parse(whole) else { return nil }
    return Date(millisecondsSince1970: Int64(seconds.timeIntervalSince1970.rounded()) * 1000 + millis)
  }

  private static func floorDivision(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
    let (q, r) = value.quotientAndRemainder(dividingBy: divisor)
    return r < 0 ? (q - 1, r + divisor) : (q, r)
  }
}
