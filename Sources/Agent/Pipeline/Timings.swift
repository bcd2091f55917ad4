// SPDX-License-Identifier: AGPL-3.0-or-later

import Histogram

/// A distribution of durations in constant memory (an HDR histogram of microseconds, three
/// significant digits, up to an hour), so a whole shift's timings cost the same few kilobytes as
/// a minute's.
struct Timings {
  private var histogram = Histogram<UInt32>(
    highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)

  /// Records one duration in milliseconds (negative ones count as zero, longer than an hour as an hour).
  mutating func record(milliseconds: Double) {
    let microseconds = UInt64(max(0, min(milliseconds * 1000, 3_600_000_000)))
    _ = histogram.record(microseconds)
  }

  /// Records the wall time since `start`.
  mutating func record(since start: ContinuousClock.Instant) {
    record(milliseconds: Self.milliseconds(ContinuousClock.now - start))
  }

  /// The value at a percentile (0…100) in milliseconds; 0 when nothing was recorded.
  func milliseconds(atPercentile percentile: Double) -> Double {
    histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(percentile)) / 1000
  }

  /// A duration in milliseconds.
  static func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
  }
}
