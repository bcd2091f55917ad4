// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Wire

/// Where a candidate sighting's evidence comes from.
public enum EvidenceReference: Sendable {
  /// Evidence already in the vault (the chalk mark's first sighting).
  case stored(UUID)
  /// Evidence sealed now (the sighting that made the candidate).
  case new(SealedEvidence)
}

/// One sighting of a candidate as enforcement hands it over.
public struct CandidateSighting: Sendable {
  /// When the car was seen.
  public var time: Date
  /// Where it was parked.
  public var position: CurbPosition
  /// Its sealed pictures.
  public var evidence: EvidenceReference

  /// Creates a sighting.
  public init(time: Date, position: CurbPosition, evidence: EvidenceReference) {
    self.time = time
    self.position = position
    self.evidence = evidence
  }
}

/// A violation candidate before it is signed and queued.
public struct CandidateDraft: Sendable {
  /// The candidate's id: the upstream treats it as an idempotency key.
  public var id: UUID
  /// The rule that was broken (for example `max_stay` or `permit`), as enforcement names it.
  public var rule: String
  /// The curb zone.
  public var zoneID: String
  /// When enforcement decided.
  public var decidedAt: Date
  /// The sightings, first one first (usually two).
  public var sightings: [CandidateSighting]
  /// How sure the reader was that both sightings are the same plate (0…1), for the reviewer.
  public var readConfidence: Double?

  /// Creates a draft.
  public init(
    id: UUID = UUID(), rule: String, zoneID: String, decidedAt: Date, sightings: [CandidateSighting],
    readConfidence: Double? = nil
  ) {
    self.readConfidence = readConfidence
    self.id = id
    self.rule = rule
    self.zoneID = zoneID
    self.decidedAt = decidedAt
    self.sightings = sightings
  }
}

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
