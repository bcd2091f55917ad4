// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import GRDB
import Hub
import HubDevTools
import HubOversight
import Testing
import Wire

/// Accepted candidates whose citation never closes: sent over HTTPS to the real hub, accepted by
/// an officer, and `chalkline-hub retention` (the command, as the operator runs it) deletes their
/// evidence and note `open_citation_years` after the decision, audited; a closed citation and a
/// younger open one are kept.
@Suite struct OpenCitationRetentionTests {
  @Test func evidenceOfACitationThatNeverClosesGoesAfterTheConfiguredYears() async throws {
    let binary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(".build/debug/chalkline-hub").path
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let deviceKey = Curve25519.Signing.PrivateKey()
      let identity = try await hub.addDevice(name: "truck-o", deviceKey: deviceKey.publicKey, logger: testLogger)
      let synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
      let candidates = try (0..<3).map { try synthetic.make(plate: "5OPN00\($0)", index: $0) }
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, identity, port: port) { client in
          let (status, _) = try await post(CandidateBatch(candidates: candidates), over: client)
          #expect(status == 200)
        }
      }
      let service = try hub.service(logger: testLogger)
      let review = ReviewService(hub: service)
      for candidate in candidates {
        try await review.decide(candidate.id, .accept, reviewer: "officer1", purpose: "citation review")
      }
      let raw = try DatabaseQueue(path: hub.configuration.database)
      // 0: accepted 8 years ago, never closed (due at 7); 1: accepted 8 years ago, closed 4 years
      // ago (kept: 5 years after closure); 2: accepted 6 years ago, never closed (kept).
      let yearsAgo = { (n: Double) in
        Int64(Date().addingTimeInterval(-n * 365.25 * 86_400).timeIntervalSince1970 * 1000)
      }
      let (eight, six, four) = (yearsAgo(8), yearsAgo(6), yearsAgo(4))
      let ids = candidates.map(\.id.uuidString)
      try await raw.write { db in
        try db.execute(
          sql: "UPDATE review_decision SET decided_at = ?, note = 'left a note' WHERE candidate_id = ?",
          arguments: [eight, ids[0]])
        try db.execute(
          sql: "UPDATE review_decision SET decided_at = ?, citation_closed_at = ? WHERE candidate_id = ?",
          arguments: [eight, four, ids[1]])
        try db.execute(
          sql: "UPDATE review_decision SET decided_at = ? WHERE candidate_id = ?", arguments: [six, ids[2]])
      }
      let encoder = JSONEncoder()
      encoder.keyEncodingStrategy = .convertToSnakeCase
      let config = directory.appendingPathComponent("hub.json").path
      try encoder.encode(hub.configuration).write(to: URL(fileURLWithPath: config))
      let (dry, dryText) = try await runOffPool(
        binary, ["retention", "--config", config, "--dry-run", "--purpose", "check what is due"])
      #expect(dry == 0 && dryText.contains("open_citations=1"), "\(dryText)")
      let (status, text) = try await runOffPool(
        binary, ["retention", "--config", config, "--purpose", "monthly retention"])
      #expect(status == 0 && text.contains("open_citations=1") && text.contains("closed_citations=0"), "\(text)")
      let held = try await raw.read { db in
        Set(try String.fetchAll(db, sql: "SELECT DISTINCT candidate_id FROM evidence"))
      }
      #expect(held == [candidates[1].id.uuidString, candidates[2].id.uuidString])
      let note = try await raw.read { db in
        try String.fetchOne(
          db, sql: "SELECT note FROM review_decision WHERE candidate_id = ?", arguments: [candidates[0].id.uuidString])
      }
      #expect(note == "")
      let run = try #require(try await service.storage.auditEntries().last { $0.action == "retention.run" })
      #expect(run.detail.contains("open_citations=1") && run.actor == OperatorIdentity.current)
      #expect(try await service.verifyAudit().intact)
    }
  }

  @Test(arguments: [0, 11]) func anOpenCitationLimitOutOfBoundsIsRefusedAtLoad(years: Int) throws {
    try withTemporaryDirectorySync { directory in
      let config = directory.appendingPathComponent("hub.json")
      try Data(
        """
        {"tls": {"certificate": "a.pem", "private_key": "a.key", "client_ca": "ca.pem"},
         "retention": {"open_citation_years": \(years)}}
        """.utf8
      ).write(to: config)
      let error = #expect(throws: HubError.self) { _ = try HubConfiguration.load(path: config.path) }
      #expect(
        error?.message.contains("retention.open_citation_years: must be 1…10") == true, "\(String(describing: error))")
    }
  }

  func withTemporaryDirectorySync(_ body: (URL) throws -> Void) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hub-oc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try body(directory)
  }
}
