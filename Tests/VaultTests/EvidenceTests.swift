// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Testing
import Wire

@testable import Vault

@Suite struct EvidenceTests {
  @Test func storedEvidenceRoundTripsThroughTheDatabase() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let (mark, _) = try test.mark(["8QRS456"], window: try window("ev"))
      try test.vault.enqueueCandidate(mark.candidate())
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
      func draft(_ id: UUID) -> Candidate { mark.candidate(id: id) }
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
        #expect(throws: WireError.self) { _ = try opener.open(sent, candidate: elsewhere, devices: [device]) }
      }
    }
  }
}
