// SPDX-License-Identifier: AGPL-3.0-or-later

/// A hub failure: a stable code, a sentence an operator can act on, and the cause.
public struct HubError: Error, Sendable, CustomStringConvertible {
  /// Stable error codes.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    let name: String
    public var description: String { name }
    /// The configuration file is missing or wrong.
    public static let configuration = Code(name: "configuration")
    /// A key file is missing or wrong.
    public static let keys = Code(name: "keys")
    /// The TLS certificate, key or CA cannot be used.
    public static let tls = Code(name: "tls")
    /// The database failed.
    public static let storage = Code(name: "storage")
    /// A request or argument is wrong.
    public static let invalid = Code(name: "invalid")
    /// Sealed evidence cannot be opened.
    public static let evidence = Code(name: "evidence")
    /// A tool the hub runs (openssl) failed.
    public static let tool = Code(name: "tool")
  }

  /// The stable error code.
  public var code: Code
  /// What happened and what would fix it.
  public var message: String
  /// The underlying error, if any.
  public var cause: (any Error & Sendable)?

  /// Creates an error.
  public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  /// Creates an error whose cause is any error (kept as text when it is not `Sendable`).
  public init(_ code: Code, _ message: String, underlying: any Error) {
    self.init(code, message, cause: underlying)
  }

  public var description: String {
    if let cause { return "\(message) [\(code)] (cause: \(cause))" }
    return "\(message) [\(code)]"
  }
}

/// An underlying error kept as its description.
package struct TextCause: Error, Sendable, CustomStringConvertible {
  package var description: String
  package init(_ description: String) { self.description = description }
}
