// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
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

  /// Format v3 as the agent stores it: a chalk mark's evidence sealed for the candidates the mark
  /// may yield, its bindings kept in the sealed header (no candidate id in the clear on disk); a
  /// candidate takes the binding for its own id, which opens as that candidate's only; a
  /// candidate the evidence was not sealed for is refused at enqueue, nothing queued.
  @Test func v3EvidenceIsQueuedOnlyForTheCandidatesItWasSealedFor() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let device = keyFingerprint(test.vault.keyring.deviceKey.publicKey.rawRepresentation)
      let hasher = try test.vault.plateHasher(for: try window("v3"))
      let markID = UUID()
      let (stay, noReturn) = (
        hasher.candidateID(mark: markID, for: .stay), hasher.candidateID(mark: markID, for: .noReturn)
      )
      #expect(stay != noReturn && stay == hasher.candidateID(mark: markID, for: .stay))
      #expect(stay != hasher.candidateID(mark: UUID(), for: .stay))
      let evidence = try test.sealer.seal(capture(["4BND444"]), for: [stay, noReturn])
      let mark = ChalkMark(
        id: markID, window: KeyWindowID("v3"), hashes: hasher.hashes(["4BND444"]), zone: ZoneID("z"),
        policy: PolicyID("p"), kind: .timed,
        position: CurbPosition(latitude: 37.3352, longitude: -121.8811, uncertainty: 3.5),
        firstSeen: Date(), lastSeen: Date(), evidence: evidence.id)
      #expect(try test.vault.recordChalkMark(mark, evidence: evidence) == .stored)
      #expect(try test.vault.sealedEvidence(id: evidence.id) == evidence)
      // The database and its WAL hold neither candidate id in the clear.
      let files = try FileManager.default.contentsOfDirectory(atPath: test.state.path).filter {
        $0.hasPrefix(Vault.databaseName)
      }
      #expect(!files.isEmpty)
      for file in files {
        let bytes = try Data(contentsOf: test.state.appendingPathComponent(file))
        for id in [stay, noReturn] {
          #expect(bytes.range(of: id.bytes) == nil && bytes.range(of: Data(id.uuidString.utf8)) == nil, "\(file)")
        }
      }
      func draft(_ id: UUID) -> CandidateDraft {
        CandidateDraft(
          id: id, rule: "max_stay", zoneID: "z", decidedAt: Date(),
          sightings: [CandidateSighting(time: Date(), position: mark.position, evidence: .stored(evidence.id))])
      }
      let other = UUID()
      let refused = #expect(throws: VaultError.self) { try test.vault.enqueueCandidate(draft(other)) }
      #expect(refused?.code == .evidenceMissing)
      try test.vault.enqueueCandidate(draft(stay))
      try test.vault.enqueueCandidate(draft(noReturn))
      let queued = try test.vault.pendingCandidates()
      #expect(Set(queued.map(\.id)) == [stay, noReturn])
      let opener = EvidenceOpener(privateKey: test.upstream)
      for candidate in queued {
        #expect(candidate.verify(devicePublicKey: test.vault.keyring.deviceKey.publicKey))
        let sent = try #require(candidate.evidence.first)
        #expect(try opener.open(sent, candidate: candidate.id, devices: [device]).plateAlternatives == ["4BND444"])
        let elsewhere = candidate.id == stay ? noReturn : stay
        #expect(throws: VaultError.self) { _ = try opener.open(sent, candidate: elsewhere, devices: [device]) }
      }
    }
  }

  @Test func v3SealingNeedsADeviceAndACandidate() throws {
    let upstream = Curve25519.KeyAgreement.PrivateKey()
    #expect(throws: VaultError.self) {
      _ = try EvidenceSealer(recipient: upstream.publicKey, device: "d").seal(capture(["1"]), for: [])
    }
    #expect(throws: VaultError.self) {
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
}
