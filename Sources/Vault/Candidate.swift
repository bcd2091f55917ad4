// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

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

/// The signed part of a candidate, as JSON (sorted keys, snake case). It names each sighting's
/// evidence by id and digests; it never holds plate text.
public struct CandidateManifest: Codable, Sendable, Equatable {
  /// One sighting in the manifest.
  public struct Sighting: Codable, Sendable, Equatable {
    public var time: String
    public var latitude: Double
    public var longitude: Double
    public var uncertaintyM: Double
    public var evidenceId: UUID
    public var plateSha256: String
    public var vehicleSha256: String
    public var sealedSha256: String
  }

  /// Manifest format version (1).
  public var version: Int
  public var id: UUID
  /// The device key's fingerprint.
  public var device: String
  public var rule: String
  public var zone: String
  public var decidedAt: String
  public var sightings: [Sighting]
  /// The read confidence (0…1), when the device states it; absent in older manifests.
  public var readConfidence: Double?

  static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return encoder
  }()

  /// Decodes manifest JSON.
  public static func decode(_ json: Data) throws -> CandidateManifest {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    do { return try decoder.decode(CandidateManifest.self, from: json) } catch {
      throw VaultError(.corruptRow, "A candidate manifest cannot be decoded.", cause: error)
    }
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
  public func manifest() throws -> CandidateManifest { try CandidateManifest.decode(manifestJSON) }

  /// Whether the signature is valid for `devicePublicKey` and every evidence matches the digests
  /// the manifest names.
  public func verify(devicePublicKey: Curve25519.Signing.PublicKey) -> Bool {
    guard devicePublicKey.isValidSignature(signature, for: manifestJSON),
      let manifest = try? manifest(), manifest.sightings.count == evidence.count
    else { return false }
    return zip(manifest.sightings, evidence).allSatisfy { sighting, sealed in
      sighting.evidenceId == sealed.id && sighting.sealedSha256 == sealed.sealedSHA256.hexString
        && sighting.plateSha256 == sealed.plateSHA256.hexString
        && sighting.vehicleSha256 == sealed.vehicleSHA256.hexString
    }
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
