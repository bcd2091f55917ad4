// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB
import Testing
import Wire

@testable import Vault

/// The scrub after a deletion (vacuum, truncating WAL checkpoint) is owed until it succeeds: a
/// reader that holds the WAL while a window closes defers it, and the next retention pass, or the
/// next exclusive opener, does it (docs/forgetting.md, "One transaction, then scrubbing").
@Suite struct ScrubTests {
  /// A reader that gives up quickly: the checkpoint waits this long for a reader before deferring.
  static let configuration = VaultConfiguration(busyTimeout: .milliseconds(100))

  /// A vault with a window of a few marks (in the WAL, and some in the database file): the
  /// window, and the sealed key row and a sealed mark payload as they are written to disk.
  func vaultWithAWindow(in directory: URL) throws -> (TestVault, ChalkWindow, [Data]) {
    let test = try TestVault(in: directory, configuration: Self.configuration)
    let monday = try window("chalk-2026-03-02", expiresIn: 86400)
    try test.mark(["7ABC123"], window: monday, imageBytes: 3000)
    try test.vault.checkpoint()
    for i in 0..<5 { try test.mark(["5MON\(100 + i)"], window: monday, imageBytes: 1500) }
    let secrets = try test.vault.read("secrets") { db in
      [
        try Data.fetchOne(db, sql: "SELECT sealed FROM window_key WHERE window_id = ?", arguments: [monday.id]),
        try Data.fetchOne(db, sql: "SELECT payload FROM chalk_mark ORDER BY rowid DESC LIMIT 1"),
      ]
    }.compactMap(\.self)
    #expect(secrets.count == 2)
    return (test, monday, secrets)
  }

  @Test("a checkpoint a reader defers during a window close is retried by the next pass, which closes nothing")
  func aDeferredCheckpointIsRetriedAtTheNextPass() throws {
    try withTemporaryDirectory { directory in
      let (test, monday, secrets) = try vaultWithAWindow(in: directory)
      try withWALReader(on: test.state) { reader in
        try reader.hold()
        let close = try test.vault.applyRetention(closing: [monday.id])
        #expect(close.windowsClosed == [monday.id])
        #expect(!close.checkpointed)
        var status = try test.vault.status()
        #expect(status.scrubOwed)
        #expect(status.scrubsDeferred == 1)
        // The closed window's sealed key is still on disk: a copy now would confirm its plates.
        for secret in secrets { #expect(try !vaultFiles(in: test.state, holding: secret).isEmpty) }

        // While the reader holds on, every pass tries again and is deferred again (and counted).
        let held = try test.vault.applyRetention()
        #expect(held.windowsClosed.isEmpty && !held.checkpointed)
        #expect(try test.vault.status().scrubsDeferred == 2)

        try reader.release()
        let next = try test.vault.applyRetention()
        #expect(next.windowsClosed.isEmpty && next.aggregatesDeleted == 0)
        #expect(next.checkpointed)
        #expect(next.walBytesTruncated > 0)
        #expect(walBytes(in: test.state) == 0)
        for secret in secrets { #expect(try vaultFiles(in: test.state, holding: secret) == []) }
        status = try test.vault.status()
        #expect(!status.scrubOwed)
        #expect(status.scrubsDeferred == 2)
        // Once paid, a pass that deletes nothing does not scrub.
        #expect(try test.vault.applyRetention().walBytesTruncated == 0)
      }
    }
  }

  @Test("a scrub still owed when the vault closed is done by the next exclusive opener")
  func aScrubOwedAtCloseIsDoneAtTheNextOpen() throws {
    try withTemporaryDirectory { directory in
      let (test, monday, secrets) = try vaultWithAWindow(in: directory)
      try withWALReader(on: test.state) { reader in
        try reader.hold()
        #expect(!(try test.vault.applyRetention(closing: [monday.id])).checkpointed)
        // The agent stops while the reader holds the WAL: SQLite cannot checkpoint at close either.
        try test.vault.close()
        try reader.release()
        #expect(walBytes(in: test.state) > 0)
        for secret in secrets { #expect(try !vaultFiles(in: test.state, holding: secret).isEmpty) }

        // The reader stays connected (idle), so only the new opener can truncate the WAL.
        let reopened = try Vault(stateDirectory: test.state, configuration: Self.configuration, logger: testLogger)
        #expect(walBytes(in: test.state) == 0)
        for secret in secrets { #expect(try vaultFiles(in: test.state, holding: secret) == []) }
        let status = try reopened.status()
        #expect(!status.scrubOwed)
        #expect(status.scrubsDeferred == 1)
        #expect(try reopened.chalkWindows().isEmpty)
        try reopened.close()
      }
    }
  }

  @Test("an acknowledgement scrubs: the candidates' rows leave the WAL, or the next pass takes them out")
  func anAcknowledgementScrubs() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory, configuration: Self.configuration)
      let w = try window("chalk-2026-03-02", expiresIn: 86400)
      var queued: [(UUID, Data)] = []
      for plate in ["1ACK111", "2ACK222"] {
        let (mark, _) = try test.mark([plate], window: w)
        let second = try test.seal([plate], imageBytes: 3000)
        let candidate = mark.candidate(second: second)
        try test.vault.enqueueCandidate(candidate, sealed: [second])
        let payload = try test.vault.read("payload") { db in
          try Data.fetchOne(db, sql: "SELECT payload FROM candidate WHERE id = ?", arguments: [candidate.id])
        }
        queued.append((candidate.id, try #require(payload)))
        queued.append((candidate.id, second.ciphertext.prefix(256)))
      }
      let (first, second) = (queued[0].0, queued[2].0)

      #expect(try test.vault.acknowledge([first]) == 1)
      #expect(walBytes(in: test.state) == 0)
      for (id, secret) in queued where id == first {
        #expect(try vaultFiles(in: test.state, holding: secret) == [])
      }
      #expect(!(try test.vault.status().scrubOwed))

      // A reader holds the WAL while the second is acknowledged: the scrub is owed, and paid by
      // the next retention pass.
      try withWALReader(on: test.state) { reader in
        try reader.hold()
        #expect(try test.vault.acknowledge([second]) == 1)
        var status = try test.vault.status()
        #expect(status.scrubOwed && status.scrubsDeferred == 1)
        for (id, secret) in queued where id == second {
          #expect(try !vaultFiles(in: test.state, holding: secret).isEmpty)
        }
        try reader.release()
        #expect(try test.vault.applyRetention().checkpointed)
        #expect(walBytes(in: test.state) == 0)
        for (_, secret) in queued { #expect(try vaultFiles(in: test.state, holding: secret) == []) }
        status = try test.vault.status()
        #expect(!status.scrubOwed && status.pendingCandidates == 0)
      }
    }
  }
}
