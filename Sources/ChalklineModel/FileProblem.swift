// SPDX-License-Identifier: AGPL-3.0-or-later

/// One thing wrong in a file a person wrote (a device profile, a zones file), located by line and
/// key path, so the person can go straight to it.
public struct FileProblem: Sendable, Hashable, CustomStringConvertible {
  /// The file as the user named it.
  public var file: String
  /// 1-based line of the offending value (or of the object missing a key).
  public var line: Int
  /// Where in the document, such as `camera.mount.side` or `data.curb_policies[1].rules[0].max_stay`.
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

  /// `FILE:LINE: KEY.PATH: what is wrong (expected …)`, the format DESIGN.md fixes for every checker.
  public var description: String {
    "\(file):\(line): \(keyPath): \(problem)" + (expected.map { " (expected \($0))" } ?? "")
  }
}

/// A file a person wrote (a device profile, a zones file, a permit list), refused as a whole:
/// it could not be read, or it was read and has problems, each located. Nothing of it is used.
public struct FileRefusal: Error, Sendable, CustomStringConvertible {
  /// Why the file was refused; a command's exit status follows it.
  public enum Code: String, Sendable {
    /// The file could not be read at all (missing, permissions, not text).
    case unreadable
    /// The file was read and has problems; ``FileRefusal/problems`` lists every one.
    case invalid
  }

  /// Why the file was refused.
  public var code: Code
  /// The file as the user named it (the documents read together, for several).
  public var file: String
  /// A sentence the person can act on, naming the file.
  public var message: String
  /// Every problem found, in file order (for ``Code/invalid``).
  public var problems: [FileProblem]
  /// The underlying error, if any (why the file could not be read).
  public var cause: (any Error & Sendable)?

  /// Creates a refusal.
  public init(
    _ code: Code, file: String, message: String, problems: [FileProblem] = [], cause: (any Error & Sendable)? = nil
  ) {
    self.code = code
    self.file = file
    self.message = message
    self.problems = problems
    self.cause = cause
  }

  /// The problems, one line each, in the `FILE:LINE: KEY.PATH: problem` form.
  public var lines: [String] { problems.map(\.description) }

  /// The message, then one line per problem.
  public var description: String { ([message] + lines).joined(separator: "\n") }
}
