// SPDX-License-Identifier: AGPL-3.0-or-later

/// One thing wrong with a device profile, located for the technician.
package struct ProfileProblem: Sendable, Equatable, CustomStringConvertible {
  /// The profile file as the technician named it.
  package var file: String
  /// 1-based line of the offending key (or of the mapping that lacks it).
  package var line: Int
  /// Dotted key path, such as `camera.mount.side`.
  package var keyPath: String
  /// What is wrong.
  package var problem: String
  /// What is expected instead.
  package var expected: String

  /// `FILE:LINE: KEY.PATH: what is wrong (what is expected)`, the format DESIGN.md fixes.
  package var description: String {
    "\(file):\(line): \(keyPath): \(problem) (expected \(expected))"
  }
}

/// Why a device profile could not be used.
public struct ProfileError: Error, Sendable, CustomStringConvertible {
  /// What kind of failure this is; the command's exit status follows it.
  public enum Code: Sendable, Equatable {
    /// The file could not be read at all (missing, permissions, not text).
    case unreadable
    /// The file was read, and one or more keys are wrong.
    case invalid
  }

  public let code: Code
  /// The file as the technician named it.
  public let file: String
  /// Every problem found, in file order; empty for `.unreadable`.
  package let problems: [ProfileProblem]
  /// The underlying cause, for `.unreadable`.
  public let cause: (any Error)?

  /// One line per problem, ready to print.
  public var description: String {
    switch code {
    case .unreadable:
      return "\(file): cannot read the profile: \(cause.map { "\($0)" } ?? "unknown error")"
    case .invalid:
      return problems.map(\.description).joined(separator: "\n")
    }
  }

  /// The lines of `description`, one problem each.
  public var lines: [String] { problems.map(\.description) }
}
