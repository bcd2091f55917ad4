// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB
import Testing
import Wire

@testable import Vault

@Suite struct ChalkMarkTests {
  @Test func hashingIsKeyedPerWindowAndIgnoresCaseAndSpacing() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let a = try test.vault.plateHasher(for: try window("a"))
      let b = try test.vault.plateHasher(for: try window("b"))
      #expect(a.hash("7ABC123") == a.hash("7abc 123"))
      #expect(a.hash("7ABC123") == a.hash("7-ABC-123"))
      #expect(a.hash("7ABC123") != a.hash("7ABC128"))
      #expect(a.hash("7ABC123") != b.hash("7ABC123"))
      #expect(a.hash("7ABC123").bytes.count == 32)
      #expect(a.hashes(["X1", "x1", "X2"]).count == 2)
      // The same window reopened hashes alike (the key is on disk).
      try test.vault.close()
      let reopened = try Vault(stateDirectory: test.state, exclusive: false, logger: testLogger)
      #expect(try reopened.plateHasher(for: try window("a")).hash("7ABC123") == a.hash("7ABC123"))
    }
  }

  @Test(arguments: ["7ABC103", "7abc-1o3", "7ABC 1Q3", "7·abc·1q3", "7ABC1O3"])
  func theHasherFoldsToTheOneCanonicalForm(reading: String) throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let hasher = try test.vault.plateHasher(for: try window("a"))
      #expect(hasher.hash(reading) == hasher.hash("7ABC103"))
      #expect(hasher.hash(reading) == hasher.hash(PlateCanonicalForm.canonical(reading)))
    }
  }

  @Test func aMarkOfTheOldFormatWithoutAPolicyIsNotRestoredButStillCounted() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let w = try window("2026-03-02.am")
      let (mark, _) = try test.mark(["7ABC123"], window: w)
      // Version 1 of the row: hashes, zone, position and times only (no policy, kind or flag).
      var writer = BinaryWriter()
      writer.byte(1)
      writer.byte(1)
      writer.bytes(mark.plateHashes[0].bytes)
      writer.string("zone-7")
      for value in [37.3, -121.9, 2.0] { writer.double(value) }
      writer.int64(1_772_442_000_000)
      writer.int64(1_772_442_000_000)
      let id = UUID()
      let evidence = try test.seal(["7ABC123"])
      let cipher = test.vault.cipher
      let sealed = try cipher.seal(writer.data, binding: id.bytes)
      try test.vault.write("old row") { db in
        try Vault.insertEvidence(evidence, cipher, db)
        try db.execute(
          sql: "INSERT INTO chalk_mark (id, window_id, evidence_id, payload) VALUES (?, ?, ?, ?)",
          arguments: [id, w.id, evidence.id, sealed])
      }
      #expect(try test.vault.liveChalkMarks().map(\.id) == [mark.id])
      #expect(try test.vault.chalkMark(id: id) == nil)
      #expect(try test.vault.status().chalkMarks == 2, "the old row is still there for retention to delete")
    }
  }

  @Test(arguments: ["", "../x", "a/b", ".hidden", String(repeating: "x", count: 65), "zone 1"])
  func unsafeWindowIDsAreRefused(id: String) {
    #expect(throws: VaultError.self) { _ = try ChalkWindow(id: id, expiresAt: Date()) }
  }

  @Test func storeLookUpAndTouch() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let w = try window("2026-03-02.am")
      let t0 = Date(timeIntervalSince1970: 1_772_442_000)
      let (mark, outcome) = try test.mark(["7ABC123", "7ABC1Z3"], window: w, at: t0)
      #expect(outcome == .stored)
      try test.mark(["4DEF567"], window: w, at: t0)
      let hasher = try test.vault.plateHasher(for: w)
      let found = try test.vault.chalkMarks(matching: hasher.hashes(["7ABC1Z3", "NOPE"]), in: w.id)
      #expect(found == [mark])
      #expect(try test.vault.chalkMarks(matching: hasher.hashes(["7ABC123"]), in: "other").isEmpty)
      try test.vault.updateLastSeen(of: mark.id, to: t0.addingTimeInterval(3600))
      let touched = try #require(try test.vault.chalkMark(id: mark.id))
      #expect(touched.last.time == t0.addingTimeInterval(3600))
      #expect(touched.first.time == t0)
      // An earlier time never moves last-seen back.
      try test.vault.updateLastSeen(of: mark.id, to: t0)
      #expect(try test.vault.chalkMark(id: mark.id)?.last.time == t0.addingTimeInterval(3600))
    }
  }

  @Test func everyMarkReadsBackWithWhatTheLedgerNeedsAfterARestart() throws {
    try withTemporaryDirectory { directory in
      let w = try window("2026-03-02.am")
      let t0 = Date(timeIntervalSince1970: 1_772_442_000)
      let evidenceID: UUID
      let id: UUID
      do {
        let test = try TestVault(in: directory)
        let hasher = try test.vault.plateHasher(for: w)
        let evidence = try test.seal(["7ABC123"], at: t0, imageBytes: 500)
        evidenceID = evidence.id
        let mark = ChalkMark(
          window: KeyWindowID(w.id), hashes: hasher.hashes(["7ABC123", "7ABC1Z3"]), confidences: [0.93, 0.41],
          zone: ZoneID("zone-2"), policy: PolicyID("weekday-2h"), kind: .timed,
          position: CurbPosition(latitude: 37.3, longitude: -121.9, uncertainty: 2), firstSeen: t0, lastSeen: t0,
          evidence: evidence.id)
        id = mark.id
        #expect(try test.vault.recordChalkMark(mark, evidence: evidence) == .stored)
        try test.mark(["4DEF567"], window: w, at: t0.addingTimeInterval(-60))
        try test.vault.updateLastSeen(of: id, to: t0.addingTimeInterval(5_400), flagged: true)
        // A later sighting without the flag never clears it.
        try test.vault.updateLastSeen(of: id, to: t0.addingTimeInterval(5_500))
        try test.vault.close()
      }
      let reopened = try Vault(
        stateDirectory: directory.appendingPathComponent("state"), configuration: VaultConfiguration(),
        logger: testLogger)
      defer { try? reopened.close() }
      let marks = try reopened.liveChalkMarks()
      let hashes = try reopened.plateHasher(for: w).hashes(["7ABC123", "7ABC1Z3"])
      #expect(marks.count == 2)
      #expect(marks.first?.policy == PolicyID("policy-7"), "oldest first, each with the policy it was stored with")
      let mark = try #require(marks.last)
      #expect(mark.id == id && mark.evidenceID == evidenceID && mark.zone.rawValue == "zone-2")
      #expect(mark.window == KeyWindowID(w.id) && mark.plateHashes == hashes)
      #expect(mark.first.alternatives.map(\.confidence) == [0.93, 0.41] && mark.policy == PolicyID("weekday-2h"))
      #expect(
        mark.kind == .timed && mark.first.position == CurbPosition(latitude: 37.3, longitude: -121.9, uncertainty: 2))
      #expect(mark.flagged && mark.last.time == t0.addingTimeInterval(5_500) && mark.first.time == t0)
    }
  }

  @Test func deletingAMarkDeletesItsEvidence() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let (mark, _) = try test.mark(["1AAA111"], window: try window("d"))
      #expect(try test.vault.status().evidence == 1)
      try test.vault.deleteChalkMark(id: mark.id)
      let status = try test.vault.status()
      #expect(status.chalkMarks == 0 && status.evidence == 0)
    }
  }

  @Test func quotaRefusesNewChalkMarksFirstAndCountsThem() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory, configuration: VaultConfiguration(maxBytes: 400_000))
      let w = try window("quota")
      var outcomes: [ChalkMarkOutcome] = []
      for i in 0..<60 { outcomes.append(try test.mark(["Q\(i)"], window: w, imageBytes: 4000).1) }
      let stored = outcomes.count(where: { $0 == .stored })
      let refused = outcomes.count(where: { $0 == .refusedQuotaFull })
      #expect(stored > 5 && refused > 5)
      #expect(outcomes.firstIndex(of: .refusedQuotaFull)! == stored, "refusals come only after the vault filled")
      let status = try test.vault.status()
      #expect(status.chalkMarksRefused == refused)
      #expect(status.chalkMarks == stored)
      #expect(status.liveBytes <= status.maxBytes)
      // Candidates (unsynced evidence) are still accepted when full, and nothing stored was dropped.
      let mark = try #require(
        try test.vault.chalkMarks(matching: [try test.vault.plateHasher(for: w).hash("Q0")], in: w.id).first)
      let second = try test.seal(["Q0"], imageBytes: 4000)
      let outcome = try test.vault.enqueueCandidate(mark.candidate(second: second), sealed: [second])
      #expect(outcome == .queued)
      #expect(try test.vault.status().chalkMarks == stored)
    }
  }

  @Test func aBatchIsStoredInOneTransaction() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let w = try window("batch")
      let hasher = try test.vault.plateHasher(for: w)
      let batch = try (0..<50).map { i in
        let evidence = try test.seal(["B\(i)"], imageBytes: 100)
        return NewChalkMark(
          mark: ChalkMark(
            window: KeyWindowID(w.id), hashes: hasher.hashes(["B\(i)"]), zone: ZoneID("z"), policy: PolicyID("p"),
            kind: .timed, position: CurbPosition(latitude: 1, longitude: 2, uncertainty: 3), firstSeen: Date(),
            lastSeen: Date(), evidence: evidence.id),
          evidence: evidence)
      }
      let outcomes = try test.vault.recordChalkMarks(batch)
      #expect(outcomes.allSatisfy { $0 == .stored })
      #expect(try test.vault.status().chalkMarks == 50)
      // A mark naming other evidence is refused before anything is written.
      var bad = batch[0]
      bad.evidence = try test.seal(["other"])
      #expect(throws: VaultError.self) { try test.vault.recordChalkMarks([bad]) }
    }
  }
}
