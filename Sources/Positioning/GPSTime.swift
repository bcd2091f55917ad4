// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// gpsd's time stamps: ISO 8601 UTC, `2026-03-02T09:00:00.000Z`.
///
/// Parsed and printed by hand: the format is fixed, and this avoids a shared, non-Sendable formatter on the
/// read path of every report.
public enum GPSTime {
  /// The date for an ISO 8601 UTC time stamp with optional fractional seconds, or `nil` when it is not one.
  public static func parse(_ text: String) -> Date? {
    var utf8 = Array(text.utf8)
    guard utf8.count >= 20, utf8.last == UInt8(ascii: "Z") else { return nil }
    utf8.removeLast()
    func number(_ from: Int, _ count: Int) -> Int? {
      var value = 0
      for i in from..<(from + count) {
        let c = utf8[i]
        guard c >= 48, c <= 57 else { return nil }
        value = value * 10 + Int(c - 48)
      }
      return value
    }
    guard utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-"), utf8[10] == UInt8(ascii: "T"),
      utf8[13] == UInt8(ascii: ":"), utf8[16] == UInt8(ascii: ":"),
      let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
      let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
      (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60
    else { return nil }
    var fraction = 0.0
    if utf8.count > 19 {
      guard utf8[19] == UInt8(ascii: "."), utf8.count > 20 else { return nil }
      var scale = 0.1
      for c in utf8[20...] {
        guard c >= 48, c <= 57 else { return nil }
        fraction += Double(c - 48) * scale
        scale /= 10
      }
    }
    let days = daysFromCivil(year: year, month: month, day: day)
    let seconds = Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + fraction
    return Date(timeIntervalSince1970: seconds)
  }

  /// `date` as gpsd prints it, with milliseconds: `2026-03-02T09:00:00.000Z`.
  public static func format(_ date: Date) -> String {
    let millis = Int64((date.timeIntervalSince1970 * 1_000).rounded())
    let seconds = millis.floorDiv(1_000)
    let ms = Int(millis - seconds * 1_000)
    let days = seconds.floorDiv(86_400)
    let secondOfDay = Int(seconds - days * 86_400)
    let (y, m, d) = civilFromDays(Int(days))
    func pad(_ v: Int, _ width: Int) -> String {
      let s = String(v)
      return String(repeating: "0", count: max(0, width - s.count)) + s
    }
    return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secondOfDay / 3_600, 2)):\(pad(secondOfDay / 60 % 60, 2))"
      + ":\(pad(secondOfDay % 60, 2)).\(pad(ms, 3))Z"
  }

  // Howard Hinnant's days-from-civil algorithm (proleptic Gregorian calendar).
  static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (month + 9) % 12
    let doy = (153 * mp + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
  }

  static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
    let z = z0 + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let d = doy - (153 * mp + 2) / 5 + 1
    let m = mp < 10 ? mp + 3 : mp - 9
    return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
  }
}

extension Int64 {
  fileprivate func floorDiv(_ d: Int64) -> Int64 {
    let q = self / d
    return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
  }
}
