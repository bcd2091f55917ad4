// SPDX-License-Identifier: AGPL-3.0-or-later

/// An error from the vault: a stable code, a sentence a technician can act on, and the cause.
public struct VaultError: Error, Sendable, CustomStringConvertible {
  /// What went wrong, stable across releases (used by scripts and tests).
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    let name: String
    public var description: String { name }

    /// The state directory or a key file has unsafe permissions or ownership.
    public static let unsafePermissions = Code(name: "unsafe-permissions")
    /// The keyring has not been created yet.
    public static let keyringMissing = Code(name: "keyring-missing")
    /// `keys init` was asked for a state directory that already has a keyring.
    public static let keyringExists = Code(name: "keyring-exists")
    /// A key file is unreadable, truncated or of the wrong kind.
    public static let badKeyFile = Code(name: "bad-key-file")
    /// The upstream's public keys have not been imported.
    public static let upstreamKeyMissing = Code(name: "upstream-key-missing")
    /// A key given on the command line or by the upstream is malformed.
    public static let badKey = Code(name: "bad-key")
    /// A chalk window identifier is not usable (it becomes part of a file name).
    public static let badWindowID = Code(name: "bad-window-id")
    /// A file system operation failed.
    public static let fileSystem = Code(name: "file-system")
    /// The database could not be opened, migrated, read or written.
    public static let database = Code(name: "database")
    /// The state directory's file system is full (`SQLITE_FULL`, `ENOSPC`, `EDQUOT`): nothing was
    /// written; the same call succeeds once space returns.
    public static let diskFull = Code(name: "disk-full")
    /// A stored row could not be decrypted or decoded.
    public static let corruptRow = Code(name: "corrupt-row")
    /// Sealing, signing or encrypting failed.
    public static let crypto = Code(name: "crypto")
    /// The audit log's hash chain is broken.
    public static let auditChainBroken = Code(name: "audit-chain-broken")
    /// A referenced evidence row does not exist.
    public static let evidenceMissing = Code(name: "evidence-missing")
    /// An argument is out of range.
    public static let invalidArgument = Code(name: "invalid-argument")
  }

  /// The stable error code.
  public var code: Code
  /// A sentence a technician can act on: what, where, and what would fix it.
  public var message: String
  /// The underlying error, if any.
  public var cause: (any Error & Sendable)?

  /// Creates an error.
  public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  public var description: String {
    if let cause { return "\(message) [\(code)] (cause: \(cause))" }
    return "\(message) [\(code)]"
  }
}

extension VaultError {
  /// Creates an error whose cause is any error (kept as text when it is not `Sendable`).
  init(_ code: Code, _ message: String, underlying: any Error) {
    self.init(
      code, message, cause: (underlying as? any Error & Sendable) ?? DescribedError(String(describing: underlying)))
  }
}

/// An underlying error kept as its description.
struct DescribedError: Error, Sendable, CustomStringConvertible {
  var description: String
  init(_ description: String) { self.description = description }
}
