// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Testing

@testable import Wire

@Suite struct EvidenceSealingTests {
  @Test func sealedEvidenceOpensOnlyWithTheUpstreamKey() throws {
    let upstream = Curve25519.KeyAgreement.PrivateKey()
    let original = capture(["7ABC123", "7A8C123"], at: Date(timeIntervalSince1970: 1_772_442_000.1234))
    let sealed = try EvidenceSealer(recipient: upstream.publicKey).seal(original)
    #expect(sealed.plateSHA256 == Data(SHA256.hash(data: original.plateJPEG)))
    #expect(sealed.vehicleSHA256 == Data(SHA256.hash(data: original.vehicleJPEG)))
    let opened = try EvidenceOpener(privateKey: upstream).open(sealed)
    #expect(opened.plateJPEG == original.plateJPEG)
    #expect(opened.vehicleJPEG == original.vehicleJPEG)
    #expect(opened.plateAlternatives == ["7ABC123", "7A8C123"])
    #expect(throws: WireError.self) {
      _ = try EvidenceOpener(privateKey: Curve25519.KeyAgreement.PrivateKey()).open(sealed)
    }
  }

  @Test func alteredEvidenceIsRefused() throws {
    let upstream = Curve25519.KeyAgreement.PrivateKey()
    let sealed = try EvidenceSealer(recipient: upstream.publicKey).seal(capture(["1XYZ000"]))
    var bytes = [UInt8](sealed.ciphertext)
    bytes[10] ^= 1
    let flipped = SealedEvidence(
      id: sealed.id, capturedAt: sealed.capturedAt, plateSHA256: sealed.plateSHA256,
      vehicleSHA256: sealed.vehicleSHA256, encapsulatedKey: sealed.encapsulatedKey, ciphertext: Data(bytes))
    #expect(throws: WireError.self) { _ = try EvidenceOpener(privateKey: upstream).open(flipped) }
    // The digests are bound too: swapping them in the header breaks the seal.
    let swapped = SealedEvidence(
      id: sealed.id, capturedAt: sealed.capturedAt, plateSHA256: sealed.vehicleSHA256,
      vehicleSHA256: sealed.plateSHA256, encapsulatedKey: sealed.encapsulatedKey, ciphertext: sealed.ciphertext)
    #expect(throws: WireError.self) { _ = try EvidenceOpener(privateKey: upstream).open(swapped) }
  }

  @Test func v3SealingNeedsADeviceAndACandidate() throws {
    let upstream = Curve25519.KeyAgreement.PrivateKey()
    #expect(throws: WireError.self) {
      _ = try EvidenceSealer(recipient: upstream.publicKey, device: "d").seal(capture(["1"]), for: [])
    }
    #expect(throws: WireError.self) {
      _ = try EvidenceSealer(recipient: upstream.publicKey).seal(capture(["1"]), for: [UUID()])
    }
  }

  /// The v3 fields are length-prefixed: moving bytes between the device id and what follows
  /// changes the encoding.
  @Test func v3FieldsAreUnambiguous() {
    #expect(
      EvidenceFields.encode([Data("ab".utf8), Data("c".utf8)])
        != EvidenceFields.encode([Data("a".utf8), Data("bc".utf8)]))
    let candidate = UUID()
    #expect(
      SealedEvidence.info(device: "dev-1", candidate: candidate)
        != SealedEvidence.info(device: "dev-", candidate: candidate))
  }

  /// A capture with pictures of a few kilobytes (not JPEG inside: sealing does not look).
  func capture(_ plates: [String], at time: Date = Date()) -> EvidenceCapture {
    var random = SeededGenerator(seed: 7)
    return EvidenceCapture(
      plateJPEG: Data([0xFF, 0xD8] + (0..<2000).map { _ in UInt8.random(in: 0...255, using: &random) }),
      vehicleJPEG: Data([0xFF, 0xD8] + (0..<4000).map { _ in UInt8.random(in: 0...255, using: &random) }),
      plateAlternatives: plates, capturedAt: time)
  }
}
