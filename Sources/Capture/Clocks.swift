// SPDX-License-Identifier: AGPL-3.0-or-later

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#endif

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
