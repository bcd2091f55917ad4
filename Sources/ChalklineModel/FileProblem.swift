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
