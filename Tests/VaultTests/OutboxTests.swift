// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import GRDB
import Testing
import Wire

@testable import Vault

@Suite struct OutboxTests {
  /// A chalk mark of `plate` and its overstay candidate, with the second sighting's evidence.
  func draft(_ test: TestVault, plate: String, id: UUID = UUID()) throws -> (Candidate, [SealedEvidence], ChalkMark) {
    let t0 = Date(timeIntervalSince1970: 1_772_442_000)
    let (mark, _) = try test.mark([plate], window: try window("outbox"), at: t0)
    let second = try test.seal([plate], at: t0.addingTimeInterval(7300))
    return (mark.candidate(id: id, second: second, at: t0.addingTimeInterval(7300)), [second], mark)
  }

  @Test func aQueuedCandidateIsSignedAndCarriesBothSightings() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let (draft, sealed, mark) = try draft(test, plate: "7ABC123")
      #expect(try test.vault.enqueueCandidate(draft, sealed: sealed) == .queued)
      #expect(try test.vault.enqueueCandidate(draft, sealed: sealed) == .alreadyQueued)
      let queued = try test.vault.pendingCandidates()
      #expect(queued.count == 1)
      let candidate = try #require(queued.first)
      #expect(candidate.id == draft.id)
      #expect(candidate.verify(devicePublicKey: test.vault.keyring.deviceKey.publicKey))
      #expect(!candidate.verify(devicePublicKey: Curve25519.Signing.PrivateKey().publicKey))
      let manifest = try candidate.manifest()
      #expect(manifest.rule == "max_stay")
      #expect(manifest.sightings.count == 2)
      #expect(manifest.sightings[0].evidenceId == mark.evidenceID)
      #expect(manifest.sightings[0].time == "2026-03-02T09:00:00.000Z")
      #expect(manifest.device == keyFingerprint(test.vault.keyring.deviceKey.publicKey.rawRepresentation))
      let json = String(decoding: candidate.manifestJSON, as: UTF8.self)
      #expect(!json.uppercased().contains("7ABC123"))
      for evidence in candidate.evidence {
        #expect(try EvidenceOpener(privateKey: test.upstream).open(evidence).plateAlternatives == ["7ABC123"])
      }
    }
  }

  @Test func aTamperedManifestFailsVerification() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let (queued, sealed, _) = try draft(test, plate: "1TAM000")
      try test.vault.enqueueCandidate(queued, sealed: sealed)
      let candidate = try #require(try test.vault.pendingCandidates().first)
      var json = candidate.manifestJSON
      json[json.count - 3] ^= 1
      let tampered = OutboxCandidate(
        id: candidate.id, queuedAt: candidate.queuedAt, manifestJSON: json, signature: candidate.signature,
        evidence: candidate.evidence)
      #expect(!tampered.verify(devicePublicKey: test.vault.keyring.deviceKey.publicKey))
      let swapped = OutboxCandidate(
        id: candidate.id, queuedAt: candidate.queuedAt, manifestJSON: candidate.manifestJSON,
        signature: candidate.signature, evidence: candidate.evidence.reversed())
      #expect(!swapped.verify(devicePublicKey: test.vault.keyring.deviceKey.publicKey))
    }
  }

  @Test func acknowledgementDeletesTheCandidateButNotTheChalkMarksEvidence() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let (draft, sealed, mark) = try draft(test, plate: "2ACK222")
      try test.vault.enqueueCandidate(draft, sealed: sealed)
      #expect(try test.vault.status().evidence == 2)
      #expect(try test.vault.acknowledge([UUID()]) == 0)
      #expect(try test.vault.acknowledge([draft.id]) == 1)
      #expect(try test.vault.acknowledge([draft.id]) == 0)
      let status = try test.vault.status()
      #expect(status.pendingCandidates == 0)
      #expect(status.evidence == 1, "the chalk mark still holds its first-sighting evidence")
      #expect(try test.vault.chalkMark(id: mark.id) != nil)
      #expect(try test.vault.auditEntries().last?.action == "outbox.acknowledged")
    }
  }

  @Test("an acknowledgement whose deletion fails is counted in vault_delete_failures and keeps the candidate")
  func aFailedAcknowledgementIsCounted() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let (draft, sealed, _) = try draft(test, plate: "4ACK444")
      try test.vault.enqueueCandidate(draft, sealed: sealed)
      // The database refuses the deletion (as a damaged file or a full disk would).
      try test.vault.write("induce a failure") { db in
        try db.execute(
          sql: "CREATE TRIGGER refuse_ack BEFORE DELETE ON candidate BEGIN SELECT RAISE(ABORT, 'induced'); END")
      }
      #expect(throws: VaultError.self) { try test.vault.acknowledge([draft.id]) }
      var status = try test.vault.status()
      #expect(status.deleteFailures == 1)
      #expect(status.pendingCandidates == 1 && status.evidence == 2)
      try test.vault.write("heal") { db in try db.execute(sql: "DROP TRIGGER refuse_ack") }
      #expect(try test.vault.acknowledge([draft.id]) == 1)
      status = try test.vault.status()
      #expect(status.deleteFailures == 1 && status.pendingCandidates == 0)
    }
  }

  @Test func aCandidateNamingMissingEvidenceWritesNothing() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let new = try test.seal(["3NEW333"])
      let position = CurbPosition(latitude: 0, longitude: 0, uncertainty: 1)
      let draft = Candidate(
        rule: .overstay(maxStay: 7200, grace: 0), zone: ZoneID("z"), policy: PolicyID("p"),
        first: Sighting(time: Date(), position: position, alternatives: [], evidence: EvidenceID(new.id)),
        second: Sighting(time: Date(), position: position, alternatives: [], evidence: EvidenceID(UUID())),
        enforcedElapsed: 7200, distance: 0, confidence: 0.9)
      let error = #expect(throws: VaultError.self) { try test.vault.enqueueCandidate(draft, sealed: [new]) }
      #expect(error?.code == .evidenceMissing)
      let status = try test.vault.status()
      #expect(status.pendingCandidates == 0 && status.evidence == 0)
    }
  }

  @Test func aggregatesAddUpAndSync() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let hour = Date(timeIntervalSince1970: 1_772_442_000)
      try test.vault.addToAggregate(
        hour: hour.addingTimeInterval(100), area: .tract("06085501100"), reads: 10, chalkMarks: 4)
      try test.vault.addToAggregate(
        hour: hour.addingTimeInterval(3000), area: .tract("06085501100"), reads: 5, candidates: 1)
      try test.vault.addToAggregate(hour: hour, area: .zone("zone-7"), reads: 2)
      let all = try test.vault.aggregates()
      #expect(all.count == 2)
      let tract = try #require(all.first { $0.place == .tract("06085501100") })
      #expect(tract.hour == hour && tract.reads == 15 && tract.chalkMarks == 4 && tract.candidates == 1)
      try test.vault.markAggregatesSynced([tract])
      #expect(try test.vault.aggregates(unsyncedOnly: true).map(\.place) == [.zone("zone-7")])
      // New counts after a sync make the row unsynced again.
      try test.vault.addToAggregate(hour: hour, area: .tract("06085501100"), reads: 1)
      #expect(try test.vault.aggregates(unsyncedOnly: true).count == 2)
    }
  }

  @Test func asyncCallsWork() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vault-async-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let test = try TestVault(in: directory)
    let w = try window("async")
    let hasher = try await test.vault.plateHasher(for: w)
    let evidence = try test.seal(["9ASY999"])
    let mark = ChalkMark(
      window: KeyWindowID(w.id), hashes: hasher.hashes(["9ASY999"]), zone: ZoneID("z"), policy: PolicyID("p"),
      kind: .permit, position: CurbPosition(latitude: 1, longitude: 1, uncertainty: 1), firstSeen: Date(),
      lastSeen: Date(), evidence: evidence.id)
    #expect(try await test.vault.recordChalkMarks([NewChalkMark(mark: mark, evidence: evidence)]) == [.stored])
    #expect(try await test.vault.chalkMarks(matching: hasher.hashes(["9ASY999"]), in: w.id) == [mark])
  }
}
