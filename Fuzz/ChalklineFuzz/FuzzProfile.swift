// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation

@testable import Agent

/// A device profile through the checker, as `check-profile` and `run` read it.
enum FuzzProfile {
  /// Relative paths resolve in the shipped `device-profiles/` when run from the repository (the
  /// zones files the seeds name exist there), else in the scratch directory.
  static let paths: ProfilePathContext = {
    let shipped = FileManager.default.currentDirectoryPath + "/device-profiles"
    let directory = FileManager.default.fileExists(atPath: shipped) ? shipped : FuzzScratch.directory
    return ProfilePathContext(directory: directory, root: nil)
  }()

  static func run(_ input: Data) {
    guard let text = String(data: input, encoding: .utf8) else { return }
    do {
      _ = try DeviceProfile.parse(yaml: text, file: "fuzz.yaml", paths: paths)
    } catch {
      // A refused profile lists every problem, each with a line of the file.
      guard error.code == .invalid else { return }
      if error.problems.isEmpty { contractBroken("a refused profile lists no problem") }
      _ = error.description
    }
  }
}
