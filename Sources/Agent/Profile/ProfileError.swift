// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

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
  package let problems: [FileProblem]
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
