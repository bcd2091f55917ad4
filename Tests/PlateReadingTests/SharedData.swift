// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Finds the read-only shared data folder: `$CHALKLINE_SHARED`, else the first `shared/` folder
/// beside an ancestor of this file (in CI the shared folder is a sibling of the repository clone).
enum SharedData {
  static var root: URL? {
    if let env = ProcessInfo.processInfo.environment["CHALKLINE_SHARED"] { return URL(fileURLWithPath: env) }
    var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while dir.path != "/" {
      let candidate = dir.appendingPathComponent("shared/data")
      if FileManager.default.fileExists(atPath: candidate.path) { return dir.appendingPathComponent("shared") }
      dir.deleteLastPathComponent()
    }
    return nil
  }

  static func file(_ relative: String) -> URL? {
    guard let url = root?.appendingPathComponent(relative), FileManager.default.fileExists(atPath: url.path) else {
      return nil
    }
    return url
  }
}
