// SPDX-License-Identifier: AGPL-3.0-or-later
import FoundationEssentials

extension Date {
  /// The time as whole milliseconds since 1970, rounded to the nearest (halves away from zero):
  /// how the vault and the hub store times, and what ``UTCTime`` prints.
  public var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

  /// The time `ms` milliseconds after 1970.
  public init(millisecondsSince1970 ms: Int64) { self.init(timeIntervalSince1970: Double(ms) / 1000) }

  /// The time rounded to the nearest millisecond.
  public var roundedToMilliseconds: Date { Date(millisecondsSince1970: millisecondsSince1970) }
}
