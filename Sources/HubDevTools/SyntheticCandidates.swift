// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Hub
import Wire

/// Makes signed, sealed candidates without a vehicle, for tests and benchmarks: two sightings
/// each, pictures of random bytes of JPEG-like sizes (incompressible, as JPEG is), plate text
/// sealed inside the evidence like the vault does it.
public struct SyntheticCandidates: Sendable {
  /// The device key that signs manifests.
  public let deviceKey: Curve25519.Signing.PrivateKey
  /// The hub key evidence is sealed to.
  public let hubKey: Curve25519.KeyAgreement.PublicKey
  /// Plate crop size, bytes.
  public var plateBytes = 3_000
  /// Vehicle crop size, bytes.
  public var vehicleBytes = 12_000
  /// Real pictures to seal instead of random bytes (a browser test needs decodable JPEGs).
  public var pictures: (plate: Data, vehicle: Data)?
  /// The device id the evidence is sealed as (HPKE `info`, format v3); nil: this generator's own. Another
  /// device's id makes evidence as another vehicle sealed it (a replay test).
  public var sealedAs: String?
  /// Seals in the v1 format, bound to no device, as vehicles did before v2 (a migration test).
  public var unboundEvidence = false
  /// Seals in the v2 format, bound to the device but not to the candidate, as vehicles did before
  /// v3 (a transition test).
  public var v2Evidence = false
  /// The candidate id the evidence is sealed for (format v3); nil: the candidate's own. Another id
  /// makes evidence sealed for another candidate (a test of evidence moved between candidates).
  public var sealedFor: UUID?

  /// Creates a generator.
  public init(deviceKey: Curve25519.Signing.PrivateKey, hubKey: Curve25519.KeyAgreement.PublicKey) {
    self.deviceKey = deviceKey
    self.hubKey = hubKey
  }

  /// The device id manifests name.
  public var deviceID: String { keyFingerprint(deviceKey.publicKey.rawRepresentation) }

  /// One candidate whose sealed evidence holds `plate` as the text read at both sightings;
  /// `edit` may change the manifest before it is signed (a hostile but validly signed one).
  public func make(
    id: UUID = UUID(), plate: String, index: Int = 0, edit: (inout WireManifest) -> Void = { _ in }
  ) throws -> WireCandidate {
    let first = Date(timeIntervalSince1970: 1_772_442_000.123 + Double(index) * 1.001)
    let second = first.addingTimeInterval(7_800)
    let sealer = EvidenceSealer(recipient: hubKey, device: unboundEvidence ? nil : sealedAs ?? deviceID)
    var sightings: [WireManifest.Sighting] = []
    var evidence: [WireEvidence] = []
    for (n, time) in [first, second].enumerated() {
      let capture = EvidenceCapture(
        plateJPEG: pictures?.plate ?? Self.fakeJPEG(plateBytes),
        vehicleJPEG: pictures?.vehicle ?? Self.fakeJPEG(vehicleBytes), plateAlternatives: [plate],
        capturedAt: time)
      let sealed = WireEvidence(
        sealed: unboundEvidence || v2Evidence
          ? try sealer.seal(capture) : try sealer.seal(capture, for: [sealedFor ?? id]).bound(to: sealedFor ?? id))
      var hasher = SHA256()
      hasher.update(data: sealed.encapsulatedKey)
      hasher.update(data: sealed.ciphertext)
      sightings.append(
        WireManifest.Sighting(
          time: UTCTime.format(sealed.capturedAt), latitude: 37.3349 + Double(n) * 0.00002, longitude: -121.8881,
          uncertaintyM: 4.5, evidenceId: sealed.id, plateSha256: sealed.plateSha256.hexString,
          vehicleSha256: sealed.vehicleSha256.hexString, sealedSha256: Data(hasher.finalize()).hexString))
      evidence.append(sealed)
    }
    var manifest = WireManifest(
      id: id, device: deviceID, rule: "max_stay", zone: "zone-\(index % 7)", decidedAt: UTCTime.format(second),
      sightings: sightings, readConfidence: 0.93)
    edit(&manifest)
    let bytes = try manifest.canonicalJSON()
    return WireCandidate(id: id, manifest: bytes, signature: try deviceKey.signature(for: bytes), evidence: evidence)
  }

  static func fakeJPEG(_ size: Int) -> Data {
    var bytes = [UInt8](repeating: 0, count: max(size, 4))
    var generator = SystemRandomNumberGenerator()
    for i in stride(from: 0, to: bytes.count, by: 8) {
      let value = generator.next() as UInt64
      for j in 0..<min(8, bytes.count - i) { bytes[i + j] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(j))) }
    }
    bytes[0] = 0xFF
    bytes[1] = 0xD8
    bytes[bytes.count - 2] = 0xFF
    bytes[bytes.count - 1] = 0xD9
    return Data(bytes)
  }
}
