// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Time zones as profiles and curb documents name them: by IANA identifier.
public enum IANATimeZone {
  /// The zone an IANA identifier names (`America/Los_Angeles`, `Etc/UTC`, `UTC`), or nil. An
  /// abbreviation such as `PST` or `EST` is refused: Foundation reads it as a fixed offset without
  /// daylight saving time, which would put every posted hour off by one for half the year.
  public static func named(_ name: String) -> TimeZone? {
    guard name.contains("/") || name == "UTC" || TimeZone.knownTimeZoneIdentifiers.contains(name) else { return nil }
    return TimeZone(identifier: name)
  }
}
