// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// An oversight task that cannot go on: a code, a sentence for a person naming the file or the
/// input and what would fix it, and the underlying cause.
public struct OversightError: Error, CustomStringConvertible, Sendable {
  /// What kind of failure.
  public enum Code: String, Sendable {
    /// The hub database cannot be opened, read or written.
    case storage
    /// An input file (tract GeoJSON, closures CSV) or argument is not usable.
    case input
  }

  /// What kind of failure.
  public var code: Code
  /// What happened and what would fix it.
  public var message: String
  /// The cause, as text (errors of the layers below are not all `Sendable`).
  public var underlying: String?

  /// Creates an error.
  public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.underlying = underlying.map { String(describing: $0) }
  }

  /// The message and its cause.
  public var description: String { underlying.map { "\(message) (\($0))" } ?? message }
}
