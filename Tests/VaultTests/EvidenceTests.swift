// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Testing

@testable import Vault

@Suite struct EvidenceTests {
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
    #expect(throws: VaultError.self) {
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
    #expect(throws: VaultError.self) { _ = try EvidenceOpener(privateKey: upstream).open(flipped) }
    // The digests are bound too: swapping them in the header breaks the seal.
    let swapped = SealedEvidence(
      id: sealed.id, capturedAt: sealed.capturedAt, plateSHA256: sealed.vehicleSHA256,
      vehicleSHA256: sealed.plateSHA256, encapsulatedKey: sealed.encapsulatedKey, ciphertext: sealed.ciphertext)
    #expect(throws: VaultError.self) { _ = try EvidenceOpener(privateKey: upstream).open(swapped) }
  }

  @Test func storedEvidenceRoundTripsThroughTheDatabase() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let (mark, _) = try test.mark(["8QRS456"], window: try window("ev"))
      try test.vault.enqueueCandidate(
        CandidateDraft(
          rule: "max_stay", zoneID: "z", decidedAt: Date(),
          sightings: [CandidateSighting(time: Date(), position: mark.position, evidence: .stored(mark.evidenceID!))]))
      let sealed = try #require(try test.vault.pendingCandidates().first?.evidence.first)
      #expect(try EvidenceOpener(privateKey: test.upstream).open(sealed).plateAlternatives == ["8QRS456"])
    }
  }
}
