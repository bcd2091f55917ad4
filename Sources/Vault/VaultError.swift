// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// An error from the vault: a stable code, a sentence a technician can act on, and the cause.
public typealias VaultError = CodedError<VaultDomain>

/// The domain of ``VaultError``.
public enum VaultDomain: ErrorDomain {}

extension CodedError.Code where Domain == VaultDomain {
  /// The state directory or a key file has unsafe permissions or ownership.
  public static let unsafePermissions = Self("unsafe-permissions")
  /// The keyring has not been created yet.
  public static let keyringMissing = Self("keyring-missing")
  /// `keys init` was asked for a state directory that already has a keyring.
  public static let keyringExists = Self("keyring-exists")
  /// A key file is unreadable, truncated or of the wrong kind.
  public static let badKeyFile = Self("bad-key-file")
  /// The upstream's public keys have not been imported.
  public static let upstreamKeyMissing = Self("upstream-key-missing")
  /// A key given on the command line or by the upstream is malformed.
  public static let badKey = Self("bad-key")
  /// A chalk window identifier is not usable (it becomes part of a file name).
  public static let badWindowID = Self("bad-window-id")
  /// A file system operation failed.
  public static let fileSystem = Self("file-system")
  /// The database could not be opened, migrated, read or written.
  public static let database = Self("database")
  /// The state directory's file system is full (`SQLITE_FULL`, `ENOSPC`, `EDQUOT`): nothing was
  /// written; the same call succeeds once space returns.
  public static let diskFull = Self("disk-full")
  /// A stored row could not be decrypted or decoded.
  public static let corruptRow = Self("corrupt-row")
  /// Sealing, signing or encrypting failed.
  public static let crypto = Self("crypto")
  /// The audit log's hash chain is broken.
  public static let auditChainBroken = Self("audit-chain-broken")
  /// A referenced evidence row does not exist.
  public static let evidenceMissing = Self("evidence-missing")
  /// An argument is out of range.
  public static let invalidArgument = Self("invalid-argument")
}
