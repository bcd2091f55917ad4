// SPDX-License-Identifier: AGPL-3.0-or-later

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#endif

/// The dump's TIME: ISO 8601 UTC with milliseconds, `2026-03-02T09:00:00.000Z`, as gpsd writes it.
///
/// Hand-written rather than ISO8601FormatStyle so the Capture module needs only
/// FoundationEssentials (the VM probe is linked statically and stays small).
public enum UTCTime {
  /// Formats a time with millisecond precision (rounded to the nearest millisecond).
  public static func format(_ date: Date) -> String {
    let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded())
    var seconds = time_t(totalMillis >= 0 ? totalMillis / 1000 : (totalMillis - 999) / 1000)
    let millis = Int(totalMillis - Int64(seconds) * 1000)
    var parts = tm()
    gmtime_r(&seconds, &parts)
    return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2)
      + "T" + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2) + "."
      + pad(millis, 3) + "Z"
  }

  /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z`; nil for anything else.
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
    guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
      let minute = number(14..<16), let second = number(17..<19), (1...12).contains(month), (1...31).contains(day),
      hour < 24, minute < 60, second < 61
    else { return nil }
    var fraction = 0.0
    if b.count > 20 {
      // Nanoseconds are read; more digits (an Int would overflow on the 19th) must still be digits.
      let kept = 20..<min(b.count - 1, 29)
      guard b[19] == UInt8(ascii: "."), b.count > 21, let digits = number(kept),
        b[kept.upperBound..<(b.count - 1)].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
      else { return nil }
      fraction = Double(digits) / pow(10, Double(kept.count))
    } else if b[19] != UInt8(ascii: "Z") {
      return nil
    }
    var parts = tm()
    parts.tm_year = Int32(year - 1900)
    parts.tm_mon = Int32(month - 1)
    parts.tm_mday = Int32(day)
    parts.tm_hour = Int32(hour)
    parts.tm_min = Int32(minute)
    parts.tm_sec = Int32(second)
    let seconds = timegm(&parts)
    // Whole milliseconds are exact in Double this way; adding a fraction first would not be.
    let millis = Double(Int64(seconds) * 1000) + (fraction * 1000).rounded()
    return Date(timeIntervalSince1970: millis / 1000)
  }

  private static func pad(_ value: Int, _ width: Int) -> String {
    let digits = String(value)
    return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
  }
}

/// Clock readings used to place kernel timestamps in UTC.
package enum Clocks {
  /// Seconds on CLOCK_MONOTONIC, the clock V4L2 stamps buffers with.
  package static func monotonic() -> Double { read(CLOCK_MONOTONIC) }
  /// Seconds since 1970 on CLOCK_REALTIME.
  package static func realtime() -> Double { read(CLOCK_REALTIME) }

  /// Maps a CLOCK_MONOTONIC time to UTC, using the current offset between the two clocks.
  package static func utc(fromMonotonic seconds: Double) -> Date {
    let real = realtime()
    let mono = monotonic()
    return Date(timeIntervalSince1970: real - (mono - seconds))
  }

  private static func read(_ clock: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }
}
