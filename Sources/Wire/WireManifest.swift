// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// The signed part of a candidate, version 1: canonical JSON (sorted keys, snake case, no
/// insignificant whitespace, times as ISO 8601 strings, absent optionals left out), the one form
/// the vault signs (`canonicalJSON()`) and the hub verifies. The signature covers these bytes as
/// sent, so the hub verifies before it decodes anything else. It names each sighting's evidence by
/// id and digests; it never holds plate text.
public struct WireManifest: Codable, Sendable, Equatable {
  /// One sighting.
  public struct Sighting: Codable, Sendable, Equatable {
    /// When the car was seen (ISO 8601 UTC).
    public var time: String
    /// Curb position, degrees (WGS 84).
    public var latitude: Double
    /// Curb position, degrees (WGS 84).
    public var longitude: Double
    /// Radius of the 95 % uncertainty circle, metres.
    public var uncertaintyM: Double
    /// The sealed evidence's id.
    public var evidenceId: UUID
    /// SHA-256 (hex) of the plate crop.
    public var plateSha256: String
    /// SHA-256 (hex) of the vehicle crop.
    public var vehicleSha256: String
    /// SHA-256 (hex) of the encapsulated key followed by the ciphertext.
    public var sealedSha256: String

    /// Creates a sighting.
    public init(
      time: String, latitude: Double, longitude: Double, uncertaintyM: Double, evidenceId: UUID,
      plateSha256: String, vehicleSha256: String, sealedSha256: String
    ) {
      self.time = time
      self.latitude = latitude
      self.longitude = longitude
      self.uncertaintyM = uncertaintyM
      self.evidenceId = evidenceId
      self.plateSha256 = plateSha256
      self.vehicleSha256 = vehicleSha256
      self.sealedSha256 = sealedSha256
    }
  }

  /// Manifest format version (1).
  public var version: Int
  /// The candidate id.
  public var id: UUID
  /// The device: the fingerprint of its Ed25519 key.
  public var device: String
  /// The rule broken (`max_stay`, `permit`, …).
  public var rule: String
  /// The curb zone id.
  public var zone: String
  /// When enforcement decided (ISO 8601 UTC).
  public var decidedAt: String
  /// The sightings, first one first.
  public var sightings: [Sighting]
  /// Enforced time elapsed between the sightings, seconds, when the device states it; otherwise
  /// the hub derives it from the sightings' times.
  public var enforcedElapsedS: Double?
  /// Distance between the sightings, metres, when the device states it; otherwise derived.
  public var distanceM: Double?
  /// The recognizer's confidence in the read (0…1), when the device states it.
  public var readConfidence: Double?

  /// Creates a manifest.
  public init(
    version: Int = 1, id: UUID, device: String, rule: String, zone: String, decidedAt: String,
    sightings: [Sighting], enforcedElapsedS: Double? = nil, distanceM: Double? = nil, readConfidence: Double? = nil
  ) {
    self.version = version
    self.id = id
    self.device = device
    self.rule = rule
    self.zone = zone
    self.decidedAt = decidedAt
    self.sightings = sightings
    self.enforcedElapsedS = enforcedElapsedS
    self.distanceM = distanceM
    self.readConfidence = readConfidence
  }

  /// The canonical bytes to sign.
  public func canonicalJSON() throws -> Data {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return try encoder.encode(self)
  }

  /// Decodes manifest bytes.
  public static func decode(_ data: Data) throws -> WireManifest {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(WireManifest.self, from: data)
  }

  /// Enforced time elapsed: as stated, or from the first to the last sighting.
  public var elapsedSeconds: Double? {
    if let enforcedElapsedS { return enforcedElapsedS }
    guard let first = sightings.first.flatMap({ UTCTime.parse($0.time) }),
      let last = sightings.last.flatMap({ UTCTime.parse($0.time) })
    else { return nil }
    return last.timeIntervalSince(first)
  }

  /// Distance between the first and last sightings, metres: as stated, or as ``Geodesy`` measures it.
  public var distanceMeters: Double? {
    if let distanceM { return distanceM }
    guard let a = sightings.first, let b = sightings.last else { return nil }
    return Geodesy.distance(from: (a.latitude, a.longitude), to: (b.latitude, b.longitude))
  }
}

extension WireCandidate {
  /// Whether `signature` is the device key's signature of the manifest bytes and every evidence
  /// matches what the manifest names (id and digests). Returns the decoded manifest, or nil.
  public func verified(by deviceKey: Curve25519.Signing.PublicKey) -> WireManifest? {
    guard deviceKey.isValidSignature(signature, for: manifest), let decoded = try? WireManifest.decode(manifest),
      decoded.id == id, decoded.sightings.count == evidence.count
    else { return nil }
    let matches = zip(decoded.sightings, evidence).allSatisfy { sighting, sealed in
      sighting.evidenceId == sealed.id && sighting.sealedSha256 == sealed.sealed.sealedSHA256.hexString
        && sighting.plateSha256 == sealed.plateSha256.hexString
        && sighting.vehicleSha256 == sealed.vehicleSha256.hexString
    }
    return matches ? decoded : nil
  }
}
