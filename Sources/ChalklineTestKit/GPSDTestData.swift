// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Where the shared, read-only test data lives, and the GPS receiver logs in it.
public enum GPSDTestData {
  /// The `shared` folder: `$CHALKLINE_SHARED`, else the first `shared` folder beside the repository or one of its
  /// parents (the CI clone has `shared/` as a sibling of the repository).
  public static func sharedDirectory(filePath: String = #filePath) -> URL? {
    if let path = ProcessInfo.processInfo.environment["CHALKLINE_SHARED"], !path.isEmpty {
      return URL(fileURLWithPath: path, isDirectory: true)
    }
    var directory = URL(fileURLWithPath: filePath).deletingLastPathComponent()
    while directory.path != "/" {
      let candidate = directory.appendingPathComponent("shared", isDirectory: true)
      if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("data").path) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return nil
  }

  /// The receiver log `name` (e.g. `garmin15x.log`) in `shared/data/gps`, or `nil` when the data is absent.
  public static func gpsLog(_ name: String, filePath: String = #filePath) -> URL? {
    guard let shared = sharedDirectory(filePath: filePath) else { return nil }
    let url = shared.appendingPathComponent("data/gps/\(name)")
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }
}
