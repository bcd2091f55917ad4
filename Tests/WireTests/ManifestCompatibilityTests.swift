// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Testing
import Wire

/// Records written before the wire types moved into `Wire` (#28), by the vault's and the uplink's
/// own code (`GoldenRecords`): a manifest signed as the vault signed it, the same manifest with the
/// hub-side optional fields, and evidence sealed in formats v3, v2 and v1. They must verify and open
/// with the code as it is now, byte for byte: vehicles in the field hold such records in their
/// outboxes, and the hub holds them for years.
@Suite("Manifest compatibility")
struct ManifestCompatibilityTests {
  let deviceKey: Curve25519.Signing.PrivateKey
  let hubKey: Curve25519.KeyAgreement.PrivateKey

  init() throws {
    deviceKey = try Curve25519.Signing.PrivateKey(rawRepresentation: GoldenRecords.deviceKeySeed)
    hubKey = try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: GoldenRecords.hubHPKEKey)
  }

  @Test func theDeviceIdIsTheSameFingerprint() {
    #expect(keyFingerprint(deviceKey.publicKey.rawRepresentation) == GoldenRecords.deviceFingerprint)
  }

  @Test func aManifestSignedBeforeTheMoveVerifiesAndKeepsItsBytes() throws {
    let json = try GoldenRecords.data(GoldenRecords.manifestJSON)
    #expect(String(decoding: json, as: UTF8.self) == GoldenRecords.manifestText)
    let manifest = try WireManifest.decode(json)
    #expect(try manifest.canonicalJSON() == json)
    #expect(manifest.readConfidence == 0.937 && manifest.enforcedElapsedS == nil && manifest.distanceM == nil)
    // Built from its fields as the vault builds a manifest now, it gives the same bytes.
    let rebuilt = WireManifest(
      version: 1, id: GoldenRecords.candidate, device: GoldenRecords.deviceFingerprint, rule: "max_stay",
      zone: "zone-7/north", decidedAt: UTCTime.format(GoldenRecords.secondSighting),
      sightings: try [(GoldenRecords.firstSighting, 1), (GoldenRecords.secondSighting, 2)].map { time, index in
        let sealed = try wireEvidence(index).sealed
        return WireManifest.Sighting(
          time: UTCTime.format(time), latitude: 37.335_481, longitude: -121.893_028, uncertaintyM: 4.5,
          evidenceId: sealed.id, plateSha256: sealed.plateSHA256.hexString,
          vehicleSha256: sealed.vehicleSHA256.hexString, sealedSha256: sealed.sealedSHA256.hexString)
      }, readConfidence: 0.937)
    #expect(try rebuilt.canonicalJSON() == json)
    let candidate = WireCandidate(
      id: GoldenRecords.candidate, manifest: json, signature: try GoldenRecords.data(GoldenRecords.signature),
      evidence: [try wireEvidence(1), try wireEvidence(2)])
    #expect(candidate.verified(by: deviceKey.publicKey) == manifest)
    #expect(candidate.verified(by: Curve25519.Signing.PrivateKey().publicKey) == nil)
  }

  @Test func aManifestWithTheOptionalFieldsKeepsItsBytes() throws {
    let json = try GoldenRecords.data(GoldenRecords.fullManifestJSON)
    let manifest = try WireManifest.decode(json)
    #expect(try manifest.canonicalJSON() == json)
    #expect(manifest.enforcedElapsedS == 7260.333 && manifest.distanceM == 1.25)
    #expect(deviceKey.publicKey.isValidSignature(try GoldenRecords.data(GoldenRecords.fullSignature), for: json))
  }

  @Test func v3EvidenceSealedBeforeTheMoveOpensForItsCandidateOnly() throws {
    let opener = EvidenceOpener(privateKey: hubKey)
    let device = GoldenRecords.deviceFingerprint
    // As the vault holds it: the pictures under the data key and one binding per candidate.
    let held = try GoldenRecords.sealed(GoldenRecords.evidence1)
    #expect(held.bindings.map(\.candidate) == [GoldenRecords.candidate, GoldenRecords.otherCandidate])
    let sent = try held.bound(to: GoldenRecords.candidate)
    #expect(WireEvidence(sealed: sent) == (try wireEvidence(1)))
    let opened = try opener.open(sent, candidate: GoldenRecords.candidate, devices: [device])
    #expect(opened.plateJPEG == Data("plate-jpeg-1".utf8) && opened.vehicleJPEG == Data("vehicle-jpeg-1".utf8))
    #expect(opened.plateAlternatives == ["7ABC123", "7ABC128"])
    #expect(opened.sealedBy == device && opened.sealedFor == GoldenRecords.candidate)
    #expect(opened.capturedAt == GoldenRecords.firstSighting)
    let other = try held.bound(to: GoldenRecords.otherCandidate)
    #expect(try opener.open(other, candidate: GoldenRecords.otherCandidate, devices: [device]).sealedFor != nil)
    #expect(throws: WireError.self) {
      _ = try opener.open(sent, candidate: GoldenRecords.otherCandidate, devices: [device])
    }
    #expect(throws: WireError.self) {
      _ = try opener.open(sent, candidate: GoldenRecords.candidate, devices: ["dev-x"])
    }
    let second = try opener.open(try wireEvidence(2).sealed, candidate: GoldenRecords.candidate, devices: [device])
    #expect(second.plateJPEG == Data("plate-jpeg-2".utf8))
  }

  @Test func evidenceSealedBeforeV3StillOpens() throws {
    let opener = EvidenceOpener(privateKey: hubKey)
    let v2 = try opener.open(try GoldenRecords.sealed(GoldenRecords.evidence3))
    #expect(v2.plateJPEG == Data("plate-jpeg-3".utf8) && v2.sealedBy == GoldenRecords.deviceFingerprint)
    #expect(v2.sealedFor == nil)
    let v1 = try opener.open(try GoldenRecords.sealed(GoldenRecords.evidence4))
    #expect(v1.vehicleJPEG == Data("vehicle-jpeg-4".utf8) && v1.sealedBy == nil)
    #expect(v1.plateAlternatives == ["7ABC123", "7ABC128"])
  }

  @Test func plateHashesAreTheSame() throws {
    let key = SymmetricKey(data: GoldenRecords.permitKey)
    #expect(
      PermitsDocument.hash(canonicalPlate: "7ABC123", key: key) == (try GoldenRecords.data(GoldenRecords.permitHash)))
    #expect(PlateHash(plateText: "7abc-1o3", key: key).bytes == (try GoldenRecords.data(GoldenRecords.plateHash)))
  }

  /// Evidence `index` (1 or 2) as the candidate sent it.
  func wireEvidence(_ index: Int) throws -> WireEvidence {
    let (record, key, ciphertext) =
      index == 1
      ? (GoldenRecords.evidence1, GoldenRecords.wire1EncapsulatedKey, GoldenRecords.wire1Ciphertext)
      : (GoldenRecords.evidence2, GoldenRecords.wire2EncapsulatedKey, GoldenRecords.wire2Ciphertext)
    return WireEvidence(
      id: record.id, capturedAt: record.capturedAt, plateSha256: try GoldenRecords.data(record.plate),
      vehicleSha256: try GoldenRecords.data(record.vehicle), encapsulatedKey: try GoldenRecords.data(key),
      ciphertext: try GoldenRecords.data(ciphertext))
  }
}
