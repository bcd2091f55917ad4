// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// A zones file that could not be read or is not valid. It is refused as a whole.
public struct ZonesFileError: Error, Sendable, CustomStringConvertible {
  /// Why the file was refused.
  public enum Code: String, Sendable {
    /// The file could not be read at all (missing, permissions, not UTF-8).
    case unreadable
    /// The file was read but has problems; ``ZonesFileError/problems`` lists every one.
    case invalid
  }

  /// Why the file was refused.
  public var code: Code
  /// A sentence a technician can act on.
  public var message: String
  /// Every problem found, in file order (for ``Code/invalid``).
  public var problems: [FileProblem]
  /// The underlying error, if any.
  public var cause: (any Error & Sendable)?

  /// Creates an error.
  public init(code: Code, message: String, problems: [FileProblem] = [], cause: (any Error & Sendable)? = nil) {
    self.code = code
    self.message = message
    self.problems = problems
    self.cause = cause
  }

  public var description: String {
    ([message] + problems.map(\.description)).joined(separator: "\n")
  }
}
