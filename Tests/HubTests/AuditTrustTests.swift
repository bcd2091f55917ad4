// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import GRDB
import HubDevTools
import Testing
import Wire

@testable import Hub

/// The keyed audit chain and its signed checkpoints, on the hub's real SQLite storage: a cut tail
/// and a rewritten entry are found against a checkpoint, even when the rewrite recomputes every
/// unkeyed hash; legacy entries migrate as a verified prefix; the start is on record.
@Suite struct AuditTrustTests {
  @Test func lengthPrefixedFieldsCannotShift() {
    #expect(AuditChain.lengthPrefixed(["a\u{1F}b", "c"]) != AuditChain.lengthPrefixed(["a", "b\u{1F}c"]))
    #expect(AuditChain.lengthPrefixed(["ab", ""]) != AuditChain.lengthPrefixed(["a", "b"]))
  }

  func entries(_ service: HubService, _ count: Int) async throws {
    for i in 0..<count {
      try await service.audit(
        actor: "officer\(i % 2)", purpose: "citation review", action: "review.queue", detail: "page=\(i)")
    }
  }

  @Test func aCheckpointFindsTruncationAndRewriting() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let service = try hub.service(logger: testLogger)
      try await entries(service, 6)
      let checkpoint = try await service.checkpoint(reason: "on demand")
      #expect(checkpoint.sequence == 6 && checkpoint.isValid(for: hub.keys.audit.publicKey))
      let officerCopy = try AuditCheckpoint.parse(try checkpoint.jsonLine())
      #expect(officerCopy == checkpoint)
      try await entries(service, 2)
      #expect(try await service.verifyAudit(against: [officerCopy]).intact)

      // A forged checkpoint (another key) is not taken.
      let forged = try AuditCheckpoint.signed(
        sequence: 2, head: "00", at: Date(), reason: "on demand", key: Curve25519.Signing.PrivateKey())
      #expect(try await service.verifyAudit(against: [forged]).problems.first?.contains("signature") == true)

      let raw = try DatabaseQueue(path: hub.configuration.database)
      // Entry 3 rewritten, and every entry re-hashed the unkeyed (v1) way so the chain walk alone
      // passes (as a whole legacy log would): the checkpoint's head no longer matches.
      let all = try await service.storage.auditEntries()
      try await raw.write { db in
        var previous = ""
        for var e in all {
          if e.sequence == 3 { e.detail = "page=999" }
          let hash = AccessAuditEntry.chainHash(
            previous: previous, sequence: e.sequence, at: e.at, actor: e.actor, purpose: e.purpose, action: e.action,
            detail: e.detail, outcome: e.outcome)
          try db.execute(
            sql: "UPDATE access_audit SET detail = ?, previous_hash = ?, hash = ?, scheme = 'v1' WHERE sequence = ?",
            arguments: [e.detail, previous, hash, e.sequence])
          previous = hash
        }
      }
      #expect(try await service.verifyAuditChain() == nil)
      let rewritten = try await service.verifyAudit(against: [officerCopy])
      #expect(!rewritten.intact && rewritten.problems.contains { $0.contains("rewritten") }, "\(rewritten.problems)")

      // The tail cut back to entry 4: the checkpoint of 6 entries says truncated.
      try await raw.write { try $0.execute(sql: "DELETE FROM access_audit WHERE sequence > 4") }
      let cut = try await service.verifyAudit(against: [officerCopy])
      #expect(!cut.intact && cut.problems.contains { $0.contains("truncated") }, "\(cut.problems)")

      // Marked keyed again without the key: the chain itself breaks at its first entry.
      try await raw.write { try $0.execute(sql: "UPDATE access_audit SET scheme = 'v2'") }
      #expect(try await service.verifyAuditChain() == 1)
    }
  }

  @Test func legacyEntriesMigrateAsAVerifiedPrefix() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      _ = try SQLiteHubStorage(path: hub.configuration.database)
      let raw = try DatabaseQueue(path: hub.configuration.database)
      // Two entries as a hub before the keyed chain wrote them.
      try await raw.write { db in
        var previous = ""
        for sequence in 1...2 {
          let hash = AccessAuditEntry.chainHash(
            previous: previous, sequence: sequence, at: "2026-03-02T09:00:00.000Z", actor: "officer1",
            purpose: "citation review", action: "candidates.list", detail: "n=\(sequence)", outcome: "allowed")
          try db.execute(
            sql: """
              INSERT INTO access_audit (sequence, at, actor, purpose, action, detail, outcome, previous_hash, hash, scheme)
              VALUES (?, '2026-03-02T09:00:00.000Z', 'officer1', 'citation review', 'candidates.list', ?, 'allowed', ?, ?, 'v1')
              """, arguments: [sequence, "n=\(sequence)", previous, hash])
          previous = hash
        }
      }
      let service = try hub.service(logger: testLogger)
      try await service.audit(actor: "officer1", purpose: "citation review", action: "review.queue")
      let all = try await service.storage.auditEntries()
      #expect(all.map(\.scheme) == ["v1", "v1", "v2", "v2"])
      #expect(all[2].action == "audit.migrated" && all[2].detail == "legacy_entries=2 legacy_head=\(all[1].hash)")
      let report = try await service.verifyAudit()
      #expect(report.intact && report.chain.legacyEntries == 2)
      // A legacy entry dropped from the prefix no longer matches what the migration recorded.
      try await raw.write { db in
        try db.execute(sql: "DELETE FROM access_audit WHERE sequence = 1")
        try db.execute(sql: "UPDATE access_audit SET sequence = sequence - 1, previous_hash = '' WHERE sequence = 2")
      }
      #expect(try await service.verifyAuditChain() != nil)
    }
  }

  @Test func theStartIsOnRecordWithReviewerChangesAndACheckpoint() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory, reviewers: ["alice": "pw one", "bob": "pw two"])
      try await hub.serve(logger: testLogger) { _ in }
      var configuration = hub.configuration
      configuration.reviewers = [
        .init(name: "alice", passwordHash: try PasswordHash(password: "pw three").encoded),
        .init(name: "carol", passwordHash: try PasswordHash(password: "pw four").encoded),
      ]
      let service = HubService(
        configuration: configuration, storage: try SQLiteHubStorage(path: configuration.database), keys: hub.keys,
        logger: testLogger)
      try await service.recordStart(actor: OperatorIdentity.current)
      let audit = try await service.storage.auditEntries()
      let starts = audit.filter { $0.action == "config.start" }
      #expect(starts.count == 2 && starts.allSatisfy { $0.actor == OperatorIdentity.current })
      #expect(OperatorIdentity.current.hasPrefix("os:"))
      #expect(starts.first?.detail.contains("reviewers=alice|bob") == true)
      let changes = audit.filter { $0.action.hasPrefix("reviewer.") }.map { "\($0.action) \($0.detail)" }
      #expect(
        changes == [
          "reviewer.add reviewer=alice", "reviewer.add reviewer=bob", "reviewer.password-change reviewer=alice",
          "reviewer.add reviewer=carol", "reviewer.remove reviewer=bob",
        ])
      #expect(audit.contains { $0.action == "document.publish" && $0.detail.hasPrefix("kind=keys version=1") })
      let checkpoints = try await service.checkpoints()
      #expect(checkpoints.map(\.reason) == ["start", "start"])
      #expect(checkpoints.allSatisfy { $0.isValid(for: hub.keys.audit.publicKey) })
      #expect(try await service.verifyAudit().intact)
    }
  }

  /// The commands the privacy officer runs, as processes: a checkpoint now, the export, and
  /// `audit-verify --checkpoint` before and after the tail is cut.
  @Test func theCheckpointCommandsVerifyAndReportTruncation() async throws {
    let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".build/debug/chalkline-hub").path
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let encoder = JSONEncoder()
      encoder.keyEncodingStrategy = .convertToSnakeCase
      let config = directory.appendingPathComponent("hub.json").path
      try encoder.encode(hub.configuration).write(to: URL(fileURLWithPath: config))
      try await entries(try hub.service(logger: testLogger), 3)
      let out = directory.appendingPathComponent("checkpoint.json").path
      let (status, printed) = try await runOffPool(
        binary, ["audit-checkpoint", "--config", config, "--purpose", "privacy audit", "--out", out])
      #expect(status == 0)
      let checkpoint = try AuditCheckpoint.parse(printed)
      #expect(checkpoint.sequence == 3 && checkpoint.reason == "on demand")
      let (verified, text) = try await runOffPool(binary, ["audit-verify", "--config", config, "--checkpoint", out])
      #expect(verified == 0 && text.contains("matches"), "\(text)")
      let (exported, _) = try await runOffPool(
        binary, ["audit-checkpoints", "--config", config, "--purpose", "privacy audit", "--out", out + "l"])
      #expect(exported == 0)
      #expect(try String(contentsOfFile: out + "l", encoding: .utf8).split(separator: "\n").count == 1)
      let audit = try await hub.service(logger: testLogger).storage.auditEntries()
      #expect(audit.contains { $0.action == "audit.checkpoint" && $0.actor == OperatorIdentity.current })
      let raw = try DatabaseQueue(path: hub.configuration.database)
      try await raw.write { try $0.execute(sql: "DELETE FROM access_audit WHERE sequence > 2") }
      let (broken, report) = try await runOffPool(binary, ["audit-verify", "--config", config, "--checkpoint", out])
      #expect(broken == 1 && report.contains("truncated"), "\(report)")
    }
  }
}
