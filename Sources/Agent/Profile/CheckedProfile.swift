// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// A profile that passed its own checks, with what the checks of the files it names need: the
/// line each key was written on and where each named file is on this machine.
package struct CheckedProfile: Sendable {
  /// The profile, its paths as the agent uses them.
  package var profile: DeviceProfile
  /// The profile file, as the user named it.
  package var file: String
  /// How the profile's paths were resolved (its folder, and `--root`).
  package var paths: ProfilePathContext
  /// The line of each key's value.
  package var lines: [String: Int]
  /// A named path as the agent uses it, to the path on this machine.
  package var onDisk: [String: String]

  /// Where `path` (one of the profile's, as the agent uses it) is on this machine: under `--root`
  /// for an absolute path the profile wrote, or that a default gives.
  package func local(_ path: String) -> String { onDisk[path] ?? paths.onDisk(path) }

  /// A problem with the value of `key`, located at the line it was written on.
  package func problem(_ key: String, _ problem: String, expected: String? = nil) -> FileProblem {
    FileProblem(file: file, line: lines[key] ?? 1, keyPath: key, problem: problem, expected: expected)
  }
}
