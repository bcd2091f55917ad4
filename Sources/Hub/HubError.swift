// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// A hub failure: a stable code, a sentence an operator can act on, and the cause.
public typealias HubError = CodedError<HubDomain>

/// The domain of ``HubError``.
public enum HubDomain: ErrorDomain {}

extension CodedError.Code where Domain == HubDomain {
  /// The configuration file is missing or wrong.
  public static let configuration = Self("configuration")
  /// A key file is missing or wrong.
  public static let keys = Self("keys")
  /// The TLS certificate, key or CA cannot be used.
  public static let tls = Self("tls")
  /// The database failed.
  public static let storage = Self("storage")
  /// A request or argument is wrong.
  public static let invalid = Self("invalid")
  /// Sealed evidence cannot be opened.
  public static let evidence = Self("evidence")
  /// A tool the hub runs (openssl) failed.
  public static let tool = Self("tool")
}
