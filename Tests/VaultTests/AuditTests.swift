// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB
import Testing

@testable import Vault

@Suite struct AuditTests {
  @Test func entriesChainAndVerify() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let a = try test.vault.audit(actor: "technician:alice", action: "status", purpose: "daily check")
      let b = try test.vault.audit(actor: "uplink", action: "outbox.export", purpose: "sync", detail: "candidates=3")
      #expect(b.previousHash == a.hash)
      #expect(b.sequence == a.sequence + 1)
      let result = try test.vault.verifyAuditLog()
      #expect(result.intact)
      #expect(result.entries == 4)  // keys.init, keys.import-upstream, and the two above
      #expect(result.headHash == b.hash.hexString)
    }
  }

  /// Each way of tampering, and the first entry it must be found at.
  @Test(arguments: [
    ("UPDATE audit SET purpose = 'nothing to see' WHERE seq = 3", Int64(3)),
    ("UPDATE audit SET at = at + 1 WHERE seq = 2", Int64(2)),
    ("DELETE FROM audit WHERE seq = 3", Int64(3)),
    ("UPDATE audit SET seq = 10 WHERE seq = 4", Int64(4)),
  ])
  func tamperingIsFound(sql: String, brokenAt: Int64) throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      for i in 0..<4 { try test.vault.audit(actor: "a", action: "status", purpose: "p\(i)") }
      try test.vault.write("tamper") { db in try db.execute(sql: sql) }
      let result = try test.vault.verifyAuditLog()
      #expect(!result.intact)
      #expect(result.firstBrokenSequence == brokenAt)
    }
  }

  @Test func keyOperationsAreAudited() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      try test.vault.rotateDeviceKey(actor: "technician:bob", purpose: "compromise drill")
      let last = try #require(try test.vault.auditEntries().last)
      #expect(
        last.actor == "technician:bob" && last.action == "keys.rotate.device" && last.purpose == "compromise drill")
    }
  }
}
