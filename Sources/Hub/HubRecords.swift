// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Wire

/// A registered device.
public struct DeviceRecord: Sendable, Equatable {
  /// The device id: the fingerprint of its Ed25519 key (what its manifests name).
  public var id: String
  /// A name for people (vehicle number).
  public var name: String
  /// SHA-256 (hex) of its client certificate (DER).
  public var certificateSHA256: String
  /// Its Ed25519 public key, raw.
  public var signingKey: Data
  /// When it was registered.
  public var registeredAt: Date
  /// When it was revoked (`devices revoke`) or replaced by a new key (re-keying); nil while active.
  public var revokedAt: Date?
  /// The record that replaced this one when the vehicle was re-keyed (nil for an active record
  /// and for one `devices revoke` revoked).
  public var replacedBy: String?

  /// Creates a record.
  public init(
    id: String, name: String, certificateSHA256: String, signingKey: Data, registeredAt: Date, revokedAt: Date? = nil,
    replacedBy: String? = nil
  ) {
    self.replacedBy = replacedBy
    self.id = id
    self.name = name
    self.certificateSHA256 = certificateSHA256
    self.signingKey = signingKey
    self.registeredAt = registeredAt
    self.revokedAt = revokedAt
  }

  /// The public key, parsed.
  public var publicKey: Curve25519.Signing.PublicKey? { try? .init(rawRepresentation: signingKey) }
}

/// A candidate whose signature and evidence digests were verified, ready to store.
public struct VerifiedCandidate: Sendable {
  /// The candidate as received.
  public var wire: WireCandidate
  /// Its decoded manifest.
  public var manifest: WireManifest
  /// The device that signed it.
  public var deviceID: String

  /// Creates a verified candidate.
  public init(wire: WireCandidate, manifest: WireManifest, deviceID: String) {
    self.wire = wire
    self.manifest = manifest
    self.deviceID = deviceID
  }
}

/// A stored candidate as the hub holds it: manifest facts in the clear, evidence still sealed.
public struct StoredCandidate: Sendable {
  /// The candidate id.
  public var id: UUID
  /// The device id.
  public var device: String
  /// The rule broken.
  public var rule: String
  /// The zone.
  public var zone: String
  /// The signed manifest.
  public var manifest: WireManifest
  /// When the hub received it.
  public var receivedAt: Date
  /// `pending` until an officer decides (a later issue adds `accepted`, `rejected`, `corrected`).
  public var reviewState: String
  /// Sealed evidence, in sighting order.
  public var evidence: [WireEvidence]
}

/// One row of the hub's access audit: who opened what, when and why. Chained (`AuditChain`).
public struct AccessAuditEntry: Sendable, Equatable {
  /// Position in the chain, from 1.
  public var sequence: Int
  /// When (ISO 8601 UTC, as stored and hashed).
  public var at: String
  /// Who (reviewer name, or `device:ID`).
  public var actor: String
  /// The purpose stated.
  public var purpose: String
  /// What was done (`candidates.list`, …).
  public var action: String
  /// What was touched (counts, ids); never plate text.
  public var detail: String
  /// `allowed` or `denied: why`.
  public var outcome: String
  /// The previous entry's hash (hex), empty for the first.
  public var previousHash: String
  /// The entry's hash (hex): `AuditChain.hash` (HMAC under the hub's audit key) for `v2`
  /// entries, plain SHA-256 of the fields for `v1` entries written before it.
  public var hash: String
  /// `v2`, or `v1` for an entry written before the keyed chain.
  public var scheme: String = AuditChain.scheme

  static func chainHash(
    previous: String, sequence: Int, at: String, actor: String, purpose: String, action: String, detail: String,
    outcome: String
  ) -> String {
    let fields = [previous, String(sequence), at, actor, purpose, action, detail, outcome]
    return Data(SHA256.hash(data: Data(fields.joined(separator: "\u{1F}").utf8))).hexString
  }
}

/// What the hub made of a vehicle's audit head sent with a sync.
public enum DeviceAuditHeadCheck: Sendable, Equatable {
  /// A head not seen before, at or beyond every earlier one.
  case recorded
  /// The same head as already recorded.
  case unchanged
  /// A head at a sequence already recorded with another hash: the vehicle's log was rewritten.
  case rewritten(sequence: Int)
  /// A head behind one already recorded: the vehicle's log was cut.
  case truncated(recorded: Int)
}

/// Why the hub refused one candidate: a sentence for a technician, sent in its acknowledgement.
public struct RefusalReason: Error, Sendable, Equatable, CustomStringConvertible {
  /// The sentence.
  public var description: String

  /// Creates a reason.
  public init(_ description: String) { self.description = description }
}
