// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// What the hub distributes to devices, each as a signed document.
public enum DistributionKind: String, Codable, Sendable, CaseIterable {
  /// Curb zones and policies, Curb Data Specification JSON.
  case zones
  /// Permit hash lists (JSON; opaque to the uplink).
  case permits
  /// The hub's public keys (`HubPublicKeys`).
  case keys
}

/// A document the hub signs with its Ed25519 key. The signature covers a domain label, the kind,
/// the version and the body bytes, so a document cannot be replayed as another kind or version.
public struct SignedDocument: Codable, Sendable, Equatable {
  /// What it is.
  public var kind: DistributionKind
  /// Increases with every change; the device's `If-None-Match`.
  public var version: Int
  /// When the hub issued it.
  public var issuedAt: Date
  /// The document itself (zones CDS JSON, permit list JSON, `HubPublicKeys` JSON).
  public var body: Data
  /// Ed25519 signature of `signingInput`.
  public var signature: Data

  /// Creates a document (use `signed(...)` to sign one).
  public init(kind: DistributionKind, version: Int, issuedAt: Date, body: Data, signature: Data) {
    self.kind = kind
    self.version = version
    self.issuedAt = issuedAt
    self.body = body
    self.signature = signature
  }

  /// The bytes signed: `chalkline distribution v1`, NUL, kind, NUL, version, NUL, issued-at, NUL, body.
  public static func signingInput(kind: DistributionKind, version: Int, issuedAt: Date, body: Data) -> Data {
    var data = Data("chalkline distribution v1".utf8)
    for field in [kind.rawValue, String(version), UTCTime.format(issuedAt)] {
      data.append(0)
      data.append(contentsOf: Array(field.utf8))
    }
    data.append(0)
    data.append(body)
    return data
  }

  /// Signs a document with the hub key. `issuedAt` is kept to the millisecond (its wire form).
  public static func signed(
    kind: DistributionKind, version: Int, issuedAt: Date, body: Data, key: Curve25519.Signing.PrivateKey
  ) throws -> SignedDocument {
    let issued = UTCTime.parse(UTCTime.format(issuedAt)) ?? issuedAt
    let signature = try key.signature(for: signingInput(kind: kind, version: version, issuedAt: issued, body: body))
    return SignedDocument(kind: kind, version: version, issuedAt: issued, body: body, signature: signature)
  }

  /// Whether the hub key signed this document.
  public func isValid(for key: Curve25519.Signing.PublicKey) -> Bool {
    key.isValidSignature(
      signature, for: Self.signingInput(kind: kind, version: version, issuedAt: issuedAt, body: body))
  }
}

/// The body of the `keys` document: the hub's public keys, raw.
public struct HubPublicKeys: Codable, Sendable, Equatable {
  /// X25519 key evidence is sealed to (HPKE), 32 bytes.
  public var hpkePublicKey: Data
  /// Ed25519 key the hub signs documents with, 32 bytes.
  public var signingPublicKey: Data
  /// Ed25519 key the hub signs its audit checkpoints with, 32 bytes (absent from hubs before
  /// checkpoints were sent to vehicles): the vehicle verifies `GET /v1/audit-checkpoint` with it.
  public var auditPublicKey: Data?

  /// Creates the key set.
  public init(hpkePublicKey: Data, signingPublicKey: Data, auditPublicKey: Data? = nil) {
    self.hpkePublicKey = hpkePublicKey
    self.signingPublicKey = signingPublicKey
    self.auditPublicKey = auditPublicKey
  }
}
