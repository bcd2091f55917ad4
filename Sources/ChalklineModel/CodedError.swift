// SPDX-License-Identifier: AGPL-3.0-or-later

/// The part a ``CodedError`` comes from: an empty enum per part, so that a vault error and an
/// uplink error stay two types (a `catch let error as VaultError` sees only the vault's) with one
/// shape.
public protocol ErrorDomain: Sendable {}

/// A failure a part reports: a stable code to count and branch on, a sentence a technician or an
/// operator can act on (what, where, and what would fix it), and the cause underneath.
///
/// Each part names its own: `public enum VaultDomain: ErrorDomain {}`,
/// `public typealias VaultError = CodedError<VaultDomain>`, and its codes in
/// `extension CodedError.Code where Domain == VaultDomain`.
public struct CodedError<Domain: ErrorDomain>: Error, Sendable, CustomStringConvertible {
  /// What went wrong, stable across releases: logs, counters, scripts and tests use the name.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    /// The stable name, e.g. `disk-full`.
    public let name: String
    /// A code of this part.
    public init(_ name: String) { self.name = name }
    public var description: String { name }
  }

  /// The stable code.
  public var code: Code
  /// What happened and what would fix it.
  public var message: String
  /// The underlying error, if any.
  public var cause: (any Error)?

  /// Creates an error.
  public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  /// Creates an error whose cause is only known as text (a library's message, a reply body).
  public init(_ code: Code, _ message: String, detail: String) {
    self.init(code, message, cause: ErrorText(detail))
  }

  /// `message [code]`, and the cause after it.
  public var description: String {
    if let cause { return "\(message) [\(code)] (cause: \(cause))" }
    return "\(message) [\(code)]"
  }
}

/// An underlying error known only as text.
public struct ErrorText: Error, Sendable, CustomStringConvertible {
  public var description: String
  /// Wraps a message.
  public init(_ description: String) { self.description = description }
}
