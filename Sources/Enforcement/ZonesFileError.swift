// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// One thing wrong in a zones file, located by line and key path.
public struct ZonesFileProblem: Sendable, Hashable, CustomStringConvertible {
  /// The file as the user named it.
  public var file: String
  /// 1-based line of the offending value (or of the object missing a key).
  public var line: Int
  /// Where in the document, such as `data.curb_policies[1].rules[0].max_stay`.
  public var keyPath: String
  /// What is wrong.
  public var problem: String
  /// What would be right, if it can be said.
  public var expected: String?

  /// Creates a problem.
  public init(file: String, line: Int, keyPath: String, problem: String, expected: String? = nil) {
    self.file = file
    self.line = line
    self.keyPath = keyPath
    self.problem = problem
    self.expected = expected
  }

  /// `FILE:LINE: key.path: problem (expected …)`, the format every Chalkline checker prints.
  public var description: String {
    "\(file):\(line): \(keyPath): \(problem)" + (expected.map { " (expected \($0))" } ?? "")
  }
}

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
  public var problems: [ZonesFileProblem]
  /// The underlying error, if any.
  public var cause: (any Error & Sendable)?

  /// Creates an error.
  public init(code: Code, message: String, problems: [ZonesFileProblem] = [], cause: (any Error & Sendable)? = nil) {
    self.code = code
    self.message = message
    self.problems = problems
    self.cause = cause
  }

  public var description: String {
    ([message] + problems.map(\.description)).joined(separator: "\n")
  }
}
