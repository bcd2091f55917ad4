// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Wire

/// A queued candidate, ready to upload: the manifest bytes exactly as signed, the device's
/// signature, and the sealed evidence of every sighting.
public struct OutboxCandidate: Sendable {
  /// The candidate id.
  public let id: UUID
  /// When it was queued.
  public let queuedAt: Date
  /// The manifest JSON, byte for byte as signed.
  public let manifestJSON: Data
  /// Ed25519 signature of `manifestJSON` by the device key.
  public let signature: Data
  /// The sealed evidence, in sighting order.
  public let evidence: [SealedEvidence]

  /// The decoded manifest.
  public func manifest() throws -> WireManifest {
    do { return try WireManifest.decode(manifestJSON) } catch {
      throw VaultError(.corruptRow, "A candidate manifest cannot be decoded.", cause: error)
    }
  }

  /// Whether the signature is valid for `devicePublicKey` and every evidence matches the digests
  /// the manifest names: the check the hub makes of what it receives (`WireCandidate.verified(by:)`).
  public func verify(devicePublicKey: Curve25519.Signing.PublicKey) -> Bool {
    WireCandidate(outbox: self).verified(by: devicePublicKey) != nil
  }
}

extension WireCandidate {
  /// The wire form of a queued candidate.
  public init(outbox candidate: OutboxCandidate) {
    self.init(
      id: candidate.id, manifest: candidate.manifestJSON, signature: candidate.signature,
      evidence: candidate.evidence.map(WireEvidence.init(sealed:)))
  }
}

/// Encrypted outbox row body: manifest and signature.
enum CandidatePayload {
  static func encode(manifest: Data, signature: Data) -> Data {
    var writer = BinaryWriter()
    writer.byte(1)
    writer.bytes(manifest)
    writer.bytes(signature)
    return writer.data
  }

  static func decode(_ data: Data, id: UUID) throws -> (manifest: Data, signature: Data) {
    var reader = BinaryReader(data)
    guard try reader.byte() == 1 else { throw VaultError(.corruptRow, "Candidate \(id) has an unknown format.") }
    return (try reader.bytes(), try reader.bytes())
  }
}
