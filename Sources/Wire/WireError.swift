// SPDX-License-Identifier: AGPL-3.0-or-later

/// A failure of a wire type (sealing or opening evidence, a permits document, a device key): a
/// stable code, a sentence a technician can act on, and the cause.
public struct WireError: Error, Sendable, CustomStringConvertible {
  /// Stable error codes.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    let name: String
    public var description: String { name }
    /// A document is not what the protocol says (wrong format, no key for this device, truncated).
    public static let badReply = Code(name: "bad-reply")
    /// A key handed over locally is unusable (not a raw Ed25519 public key, the identity point).
    public static let local = Code(name: "local")
    /// Sealing or opening evidence failed: the wrong key, altered bytes, another device or candidate.
    public static let crypto = Code(name: "crypto")
    /// Opened evidence is not in a known format or is truncated.
    public static let corruptRow = Code(name: "corrupt-row")
    /// Evidence was not sealed for the candidate that would send it.
    public static let evidenceMissing = Code(name: "evidence-missing")
    /// An argument is out of range.
    public static let invalidArgument = Code(name: "invalid-argument")
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
