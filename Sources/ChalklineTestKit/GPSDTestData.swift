// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Where the shared, read-only test data lives, and the GPS receiver logs in it.
public enum GPSDTestData {
  /// The receiver log `name` (e.g. `garmin15x.log`) in `shared/data/gps`, or `nil` when the data is absent.
  public static func gpsLog(_ name: String) -> URL? { TestPaths.sharedFile("data/gps/\(name)") }
}
