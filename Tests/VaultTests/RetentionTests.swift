// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import GRDB
import Testing
import Wire

@testable import Vault

@Suite struct RetentionTests {
  @Test func anExpiredWindowIsShredded() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let now = Date()
      let old = try window("old", expiresIn: 60, from: now)
      let live = try window("live", expiresIn: 7200, from: now)
      let (oldMark, _) = try test.mark(["1OLD111"], window: old)
      let (liveMark, _) = try test.mark(["2NEW222"], window: live)
      #expect(try test.vault.chalkWindows().map(\.id).sorted() == ["live", "old"])
      let report = try test.vault.applyRetention(now: now.addingTimeInterval(120))
      #expect(report.windowsClosed == ["old"])
      #expect(report.chalkMarksDeleted == 1 && report.evidenceDeleted == 1)
      #expect(try test.vault.chalkWindows().map(\.id) == ["live"])
      #expect(try test.vault.windowKeyInconsistencies().isEmpty)
      #expect(try test.vault.chalkMark(id: oldMark.id) == nil)
      #expect(try test.vault.chalkMark(id: liveMark.id) != nil)
      let status = try test.vault.status()
      #expect(status.chalkWindows == 1 && status.evidence == 1)
      #expect(try test.vault.auditEntries().last?.action == "chalk.window.destroyed")
      // Reusing the id later gives a new key: old hashes cannot be linked to new ones.
      let before = try test.vault.plateHasher(for: live).hash("1OLD111")
      let reborn = try test.vault.plateHasher(for: try window("old", expiresIn: 60, from: now))
      #expect(reborn.hash("1OLD111") != oldMark.plateHashes[0])
      #expect(before != reborn.hash("1OLD111"))
    }
  }

  @Test func aLaterExpiryExtendsTheWindowAndAnEarlierOneDoesNotShortenIt() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let now = Date()
      let (mark, _) = try test.mark(["5EXT555"], window: try window("ext", expiresIn: 60, from: now))
      _ = try test.vault.plateHasher(for: try window("ext", expiresIn: 7200, from: now))
      _ = try test.vault.plateHasher(for: try window("ext", expiresIn: 30, from: now))
      #expect(try test.vault.applyRetention(now: now.addingTimeInterval(120)).windowsClosed.isEmpty)
      #expect(try test.vault.chalkMark(id: mark.id) != nil)
      #expect(try test.vault.applyRetention(now: now.addingTimeInterval(7300)).windowsClosed == ["ext"])
    }
  }

  @Test func evidenceACandidateHoldsSurvivesItsWindow() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let now = Date()
      let w = try window("cand", expiresIn: 60, from: now)
      let (mark, _) = try test.mark(["3KEP333"], window: w)
      let second = try test.seal(["3KEP333"])
      try test.vault.enqueueCandidate(mark.candidate(second: second, at: now), sealed: [second])
      let report = try test.vault.applyRetention(now: now.addingTimeInterval(120))
      #expect(report.chalkMarksDeleted == 1 && report.evidenceDeleted == 0)
      let candidate = try #require(try test.vault.pendingCandidates().first)
      #expect(candidate.evidence.count == 2)
      #expect(candidate.verify(devicePublicKey: test.vault.keyring.deviceKey.publicKey))
      try test.vault.acknowledge([candidate.id])
      #expect(try test.vault.status().evidence == 0)
    }
  }

  @Test func overdueCandidatesRaiseAnAlarmAndAreKept() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(
        in: directory, configuration: VaultConfiguration(maxUnsyncedCandidateAge: .seconds(3600)))
      let (mark, _) = try test.mark(["4ALM444"], window: try window("alarm"))
      try test.vault.enqueueCandidate(mark.candidate(rule: .permitRequired([UserClass("permit R")])))
      #expect(try test.vault.applyRetention(now: Date()).overdueCandidates == 0)
      let report = try test.vault.applyRetention(now: Date().addingTimeInterval(2 * 3600))
      #expect(report.overdueCandidates == 1)
      #expect(try test.vault.pendingCandidateCount() == 1)
    }
  }

  @Test func aWindowKeyFileOfTheOldLayoutIsMovedIntoTheVaultOrDestroyed() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let now = Date()
      let (mark, _) = try test.mark(["6MOV666"], window: try window("kept", expiresIn: 7200, from: now))
      let keys = Keyring.keysDirectory(in: test.state)
      // An agent of the old layout kept the key of "kept" as a file, and one of a lost window.
      let kept = try test.vault.read("key") { db in try Data.fetchOne(db, sql: "SELECT sealed FROM window_key") }
      let cipher = StorageCipher(keyring: test.vault.keyring)
      let key = try WindowKeyStore.open(try #require(kept), window: "kept", cipher)
      try test.vault.write("old layout") { db in try db.execute(sql: "DELETE FROM window_key") }
      try KeyFile.write(.window, key.bytes, to: keys.appendingPathComponent("window-kept.key").path)
      try KeyFile.write(.window, Data(count: 32), to: keys.appendingPathComponent("window-lost.key").path)
      try test.vault.close()
      let reopened = try Vault(stateDirectory: test.state, exclusive: false, logger: testLogger)
      #expect(try SecureFiles.list(keys.path).filter { $0.hasPrefix("window-") }.isEmpty)
      #expect(try reopened.chalkWindows().map(\.id) == ["kept"])
      let hasher = try reopened.plateHasher(for: try window("kept", expiresIn: 7200, from: now))
      #expect(hasher.hash("6MOV666") == mark.plateHashes[0])
    }
  }

  @Test func oldSyncedAggregatesGoUnsyncedOnesStay() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(
        in: directory, configuration: VaultConfiguration(syncedAggregateRetention: .seconds(86400)))
      let old = Date().addingTimeInterval(-3 * 86400)
      try test.vault.addToAggregate(hour: old, area: .zone("a"), reads: 1)
      try test.vault.addToAggregate(hour: old, area: .zone("b"), reads: 1)
      try test.vault.markAggregatesSynced(try test.vault.aggregates().filter { $0.place == .zone("a") })
      #expect(try test.vault.applyRetention().aggregatesDeleted == 1)
      #expect(try test.vault.aggregates().map(\.place) == [.zone("b")])
    }
  }

  @Test func deletedRowsDoNotLingerInTheFile() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let now = Date()
      let w = try window("linger", expiresIn: 10, from: now)
      for i in 0..<40 { try test.mark(["L\(i)"], window: w, imageBytes: 3000) }
      try test.vault.checkpoint()
      let fileBefore =
        try FileManager.default.attributesOfItem(atPath: test.state.appendingPathComponent(Vault.databaseName).path)[
          .size] as! Int
      let sealedSample = try #require(
        try test.vault.read("sample") { db in
          try Data.fetchOne(db, sql: "SELECT ciphertext FROM evidence LIMIT 1")
        })
      let report = try test.vault.applyRetention(now: now.addingTimeInterval(60))
      #expect(report.pagesVacuumed > 0)
      let path = test.state.appendingPathComponent(Vault.databaseName).path
      let fileAfter = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
      #expect(fileAfter < fileBefore)
      for name in try FileManager.default.contentsOfDirectory(atPath: test.state.path)
      where name.hasPrefix("vault.sqlite") {
        let bytes = try Data(contentsOf: test.state.appendingPathComponent(name))
        #expect(bytes.range(of: sealedSample.prefix(64)) == nil, "deleted evidence bytes remain in \(name)")
      }
    }
  }

  @Test("a retention pass whose deletion fails is counted in vault_delete_failures, and the next pass closes")
  func aFailedRetentionPassIsCounted() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let w = try window("refused", expiresIn: 7200)
      let (mark, _) = try test.mark(["8REF888"], window: w)
      // The database refuses the window's deletion (as a damaged file or a full disk would).
      try test.vault.write("induce a failure") { db in
        try db.execute(
          sql: "CREATE TRIGGER refuse_close BEFORE DELETE ON chalk_window BEGIN SELECT RAISE(ABORT, 'induced'); END")
      }
      #expect(throws: VaultError.self) { try test.vault.applyRetention(closing: [w.id]) }
      #expect(try test.vault.status().deleteFailures == 1)
      // Nothing went: the mark keeps its key.
      #expect(try test.vault.chalkMark(id: mark.id) != nil)
      #expect(try test.vault.windowKeyInconsistencies().isEmpty)
      try test.vault.write("heal") { db in try db.execute(sql: "DROP TRIGGER refuse_close") }
      #expect(try test.vault.applyRetention(closing: [w.id]).windowsClosed == [w.id])
      #expect(try test.vault.status().deleteFailures == 1)
    }
  }

  @Test func databaseIsConfiguredForDurability() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let settings = try test.vault.write("pragmas") { db in
        [
          try String.fetchOne(db, sql: "PRAGMA journal_mode"), try String.fetchOne(db, sql: "PRAGMA synchronous"),
          try String.fetchOne(db, sql: "PRAGMA secure_delete"), try String.fetchOne(db, sql: "PRAGMA auto_vacuum"),
          try String.fetchOne(db, sql: "PRAGMA foreign_keys"),
        ]
      }
      #expect(settings == ["wal", "2", "1", "2", "1"])  // WAL, FULL, on, INCREMENTAL, on
      #expect(try test.vault.integrityCheck() == ["ok"])
    }
  }
}
