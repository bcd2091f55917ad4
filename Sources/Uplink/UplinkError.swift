// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// An uplink failure: a stable code, a sentence a technician can act on, and the cause.
public typealias UplinkError = CodedError<UplinkDomain>

/// The domain of ``UplinkError``.
public enum UplinkDomain: ErrorDomain {}

extension CodedError.Code where Domain == UplinkDomain {
  /// A certificate, key or CA file cannot be read.
  public static let credentials = Self("credentials")
  /// The hub cannot be reached or the connection broke.
  public static let transport = Self("transport")
  /// The hub answered with an error status.
  public static let status = Self("status")
  /// The hub's answer is not what the protocol says (garbage, truncated, wrong ids).
  public static let badReply = Self("bad-reply")
  /// A distributed document's signature or version is wrong.
  public static let badSignature = Self("bad-signature")
  /// The hub's audit checkpoint contradicts one the vehicle holds (the hub's audit was cut or
  /// rewritten).
  public static let hubAudit = Self("hub-audit")
  /// The outbox or the local cache failed.
  public static let local = Self("local")
}
