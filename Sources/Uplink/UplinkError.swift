// SPDX-License-Identifier: AGPL-3.0-or-later

/// An uplink failure: a stable code, a sentence a technician can act on, and the cause.
public struct UplinkError: Error, Sendable, CustomStringConvertible {
  /// Stable error codes.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    let name: String
    public var description: String { name }
    /// A certificate, key or CA file cannot be read.
    public static let credentials = Code(name: "credentials")
    /// The hub cannot be reached or the connection broke.
    public static let transport = Code(name: "transport")
    /// The hub answered with an error status.
    public static let status = Code(name: "status")
    /// The hub's answer is not what the protocol says (garbage, truncated, wrong ids).
    public static let badReply = Code(name: "bad-reply")
    /// A distributed document's signature or version is wrong.
    public static let badSignature = Code(name: "bad-signature")
    /// The hub's audit checkpoint contradicts one the vehicle holds (the hub's audit was cut or
    /// rewritten).
    public static let hubAudit = Code(name: "hub-audit")
    /// The outbox or the local cache failed.
    public static let local = Code(name: "local")
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
struct DescribedCause: Error, Sendable, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
