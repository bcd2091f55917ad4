// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// A failure of a wire type (sealing or opening evidence, a permits document, a device key): a stable code, a sentence a technician can act on, and the cause.
public typealias WireError = CodedError<WireDomain>

/// The domain of ``WireError``.
public enum WireDomain: ErrorDomain {}

extension CodedError.Code where Domain == WireDomain {
  /// A document is not what the protocol says (wrong format, no key for this device, truncated).
  public static let badReply = Self("bad-reply")
  /// A key handed over locally is unusable (not a raw Ed25519 public key, the identity point).
  public static let local = Self("local")
  /// Sealing or opening evidence failed: the wrong key, altered bytes, another device or candidate.
  public static let crypto = Self("crypto")
  /// Opened evidence is not in a known format or is truncated.
  public static let corruptRow = Self("corrupt-row")
  /// Evidence was not sealed for the candidate that would send it.
  public static let evidenceMissing = Self("evidence-missing")
  /// An argument is out of range.
  public static let invalidArgument = Self("invalid-argument")
}
