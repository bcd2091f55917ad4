// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Foundation
import GRDB
import Hub
import HubOversight
import Synchronization
import Testing

/// Candidates around the retention limits as of 1 June 2032 (5 years after closure, 30 days
/// after rejection).
struct RetentionFixture {
  let hub: TestHub
  let closedLongAgo: String
  let correctedClosedLongAgo: String
  let closedRecently: String
  let neverClosed: String
  let rejectedLongAgo: String
  let rejectedRecently: String
  let pending: String
  static let now = day("2032-06-01")

  init(in directory: URL) throws {
    let hub = try TestHub(in: directory)
    self.hub = hub
    try hub.addDevice("dev-a", name: "truck-a")
    let place = (37.350, -121.905)
    func add(
      _ outcome: String?, reason: String = "", decided: String = "2026-06-01", closed: String? = nil
    ) throws
      -> String
    {
      try hub.addCandidate(
        device: "dev-a", zone: "zone-1", at: place, time: "2026-05-01T18:00:00.000Z", outcome: outcome,
        reason: reason, decidedAt: day(decided), closedAt: closed.map(day), corrected: outcome == "corrected")
    }
    closedLongAgo = try add("accepted", closed: "2027-05-31")
    correctedClosedLongAgo = try add("corrected", closed: "2026-01-01")
    closedRecently = try add("corrected", closed: "2027-06-02")
    neverClosed = try add("accepted")
    rejectedLongAgo = try add("rejected", reason: "moved", decided: "2032-04-01")
    rejectedRecently = try add("rejected", reason: "misread", decided: "2032-05-20")
    pending = try add(nil)
  }

  var due: Set<String> { [closedLongAgo, correctedClosedLongAgo, rejectedLongAgo] }
  var all: Set<String> {
    [closedLongAgo, correctedClosedLongAgo, closedRecently, neverClosed, rejectedLongAgo, rejectedRecently, pending]
  }

  func withEvidence() throws -> Set<String> {
    try hub.raw.read { db in Set(try String.fetchAll(db, sql: "SELECT DISTINCT candidate_id FROM evidence")) }
  }

  func marked() throws -> Set<String> {
    try hub.raw.read { db in
      Set(try String.fetchAll(db, sql: "SELECT id FROM candidate WHERE evidence_deleted_at IS NOT NULL"))
    }
  }

  func withCorrectedText() throws -> Set<String> {
    try hub.raw.read { db in
      Set(try String.fetchAll(db, sql: "SELECT candidate_id FROM review_decision WHERE corrected_text IS NOT NULL"))
    }
  }

  func auditor() -> RetentionAuditor {
    let storage = hub.storage
    return { summary in
      try await storage.audit(
        actor: "retention", purpose: "retention", action: "retention.run", detail: summary.detail, outcome: "allowed",
        at: Date())
    }
  }
}

struct RetentionTests {
  @Test func deletesExactlyWhatIsDue() async throws {
    try await withTemporaryDirectory { directory in
      let f = try RetentionFixture(in: directory)
      let service = try f.hub.service(keysIn: directory)
      try await f.hub.storage.audit(
        actor: "officer1", purpose: "citation review", action: "candidates.list", detail: "n=7", outcome: "allowed",
        at: Date())
      let before = try await OutcomeStatistics.load(from: f.hub.oversight)
      let summary = try await HubRetention.run(
        database: f.hub.oversight, policy: RetentionPolicy(batchSize: 2), now: RetentionFixture.now,
        logger: quietLogger, audit: f.auditor())
      #expect(summary.closedCitations == 2)
      #expect(summary.rejected == 1)
      #expect(summary.evidenceRows == 6)
      #expect(summary.correctedTexts == 1)
      #expect(summary.batches == 2)
      #expect(try f.withEvidence() == f.all.subtracting(f.due))
      #expect(try f.marked() == f.due)
      #expect(try f.withCorrectedText() == [f.closedRecently])
      #expect(try f.hub.count("SELECT count(*) FROM candidate") == 7)
      #expect(try f.hub.count("SELECT count(*) FROM review_decision") == 6)
      #expect(try await OutcomeStatistics.load(from: f.hub.oversight) == before)
      let entries = try await f.hub.storage.auditEntries()
      #expect(entries.count == 2)
      #expect(entries.last?.action == "retention.run")
      #expect(entries.last?.detail == summary.detail)
      #expect(try await service.verifyAuditChain() == nil)

      let again = try await HubRetention.run(
        database: f.hub.oversight, policy: RetentionPolicy(), now: RetentionFixture.now, logger: quietLogger,
        audit: f.auditor())
      #expect(again.candidates == 0 && again.evidenceRows == 0)
      #expect(try await f.hub.storage.auditEntries().count == 3)
      #expect(try await service.verifyAuditChain() == nil)
    }
  }

  @Test func dryRunDeletesNothing() async throws {
    try await withTemporaryDirectory { directory in
      let f = try RetentionFixture(in: directory)
      let summary = try await HubRetention.run(
        database: f.hub.oversight, policy: RetentionPolicy(), now: RetentionFixture.now, dryRun: true,
        logger: quietLogger, audit: f.auditor())
      #expect(
        [summary.closedCitations, summary.rejected, summary.evidenceRows, summary.correctedTexts] == [2, 1, 6, 1]
          as [Int])
      #expect(summary.detail.hasSuffix("dry_run"))
      #expect(try f.withEvidence() == f.all)
      #expect(try f.marked().isEmpty)
      #expect(try f.withCorrectedText().count == 2)
      #expect(try await f.hub.storage.auditEntries().isEmpty)
    }
  }

  @Test func pendingNeverEvenWhenAncient() async throws {
    try await withTemporaryDirectory { directory in
      let f = try RetentionFixture(in: directory)
      _ = try await HubRetention.run(
        database: f.hub.oversight, policy: RetentionPolicy(closedCitationYears: 1, rejectedDays: 0),
        now: day("2100-01-01"), logger: quietLogger, audit: nil)
      // A citation that never closed goes `open_citation_years` (7) after the acceptance.
      #expect(try f.withEvidence() == [f.pending])
    }
  }

  /// With `pending_days`, a candidate nobody reviewed expires: its evidence goes, its state
  /// becomes `expired`, the run is audited; one that arrived within the limit stays.
  @Test func pendingExpiresUnreviewedWhenALimitIsSet() async throws {
    try await withTemporaryDirectory { directory in
      let f = try RetentionFixture(in: directory)
      let service = try f.hub.service(keysIn: directory)
      let recent = try f.hub.addCandidate(
        device: "dev-a", zone: "zone-1", at: (37.35, -121.905), time: "2032-05-30T18:00:00.000Z")
      let arrived = Int64(day("2032-05-31").timeIntervalSince1970 * 1000)
      try await f.hub.raw.write {
        try $0.execute(sql: "UPDATE candidate SET received_at = ? WHERE id = ?", arguments: [arrived, recent])
      }
      let policy = RetentionPolicy(pendingDays: 90)
      let dry = try await HubRetention.run(
        database: f.hub.oversight, policy: policy, now: RetentionFixture.now, dryRun: true, logger: quietLogger,
        audit: nil)
      #expect(dry.expiredPending == 1 && dry.evidenceRows == 8)
      #expect(try f.withEvidence() == f.all.union([recent]))
      let summary = try await HubRetention.run(
        database: f.hub.oversight, policy: policy, now: RetentionFixture.now, logger: quietLogger,
        audit: f.auditor())
      #expect(summary.expiredPending == 1 && summary.candidates == 4)
      #expect(try f.withEvidence() == f.all.subtracting(f.due).subtracting([f.pending]).union([recent]))
      let states = try await f.hub.raw.read { db in
        try String.fetchAll(
          db, sql: "SELECT review_state FROM candidate WHERE id IN (?, ?) ORDER BY id = ?",
          arguments: [f.pending, recent, recent])
      }
      #expect(states == ["expired", "pending"])
      #expect(try await f.hub.storage.auditEntries().last?.detail.contains("expired_pending=1") == true)
      #expect(try await service.verifyAuditChain() == nil)
      #expect(RetentionPolicy(pendingDays: 0).problems == ["retention.pending_days: must be 1…365"])
      #expect(RetentionPolicy(closedCitationYears: 50).problems.count == 1)
    }
  }

  /// The officer's note goes with the evidence it speaks of.
  @Test func notesGoWithTheirEvidence() async throws {
    try await withTemporaryDirectory { directory in
      let f = try RetentionFixture(in: directory)
      try await f.hub.raw.write { try $0.execute(sql: "UPDATE review_decision SET note = 'seen twice, gone at 3'") }
      _ = try await HubRetention.run(
        database: f.hub.oversight, policy: RetentionPolicy(), now: RetentionFixture.now, logger: quietLogger,
        audit: nil)
      let withNotes = try await f.hub.raw.read { db in
        Set(try String.fetchAll(db, sql: "SELECT candidate_id FROM review_decision WHERE note <> ''"))
      }
      #expect(withNotes == f.all.subtracting(f.due).subtracting([f.pending]))
    }
  }

  @Test func rejectionPeriodIsConfigurable() async throws {
    try await withTemporaryDirectory { directory in
      let f = try RetentionFixture(in: directory)
      let summary = try await HubRetention.run(
        database: f.hub.oversight, policy: RetentionPolicy(rejectedDays: 7), now: RetentionFixture.now,
        dryRun: true, logger: quietLogger, audit: nil)
      #expect(summary.rejected == 2)
    }
  }

  @Test func recordsCitationClosures() async throws {
    try await withTemporaryDirectory { directory in
      let f = try RetentionFixture(in: directory)
      let csv = "candidate_id,closed_at\r\n\(f.neverClosed.lowercased()),2027-01-15\r\n\(f.pending),\r\n"
      let closures = try CitationClosures.parseCSV(csv, defaultClosedAt: day("2027-02-01"))
      #expect(closures.map(\.closedAt) == [day("2027-01-15"), day("2027-02-01")])
      let unknown = UUID().uuidString
      let result = try await CitationClosures.record(
        closures + [.init(id: unknown, closedAt: day("2027-01-01"))], in: f.hub.oversight)
      #expect(result.closed == 1)
      #expect(result.notCited == [f.pending])
      #expect(result.unknown == [unknown])
      let summary = try await HubRetention.run(
        database: f.hub.oversight, policy: RetentionPolicy(), now: RetentionFixture.now, dryRun: true,
        logger: quietLogger, audit: nil)
      #expect(summary.closedCitations == 3)
      #expect(throws: OversightError.self) {
        try CitationClosures.parseCSV("id\r\nnot-a-uuid\r\n", defaultClosedAt: nil)
      }
    }
  }

  /// The job `serve` runs beside its server: it runs at once, again after its interval, audits
  /// each run, and stops when cancelled.
  @Test func dailyJobRunsAndStops() async throws {
    try await withTemporaryDirectory { directory in
      let f = try RetentionFixture(in: directory)
      let service = try f.hub.service(keysIn: directory)
      let old = try f.hub.addCandidate(
        device: "dev-a", zone: "zone-1", at: (37.35, -121.905), time: "2000-05-01T18:00:00.000Z",
        outcome: "accepted", decidedAt: day("2000-06-01"), closedAt: day("2001-01-01"))
      let oldRejected = try f.hub.addCandidate(
        device: "dev-a", zone: "zone-1", at: (37.35, -121.905), time: "2000-05-01T18:00:00.000Z",
        outcome: "rejected", reason: "moved", decidedAt: day("2000-06-01"))
      let (runs, continuation) = AsyncStream.makeStream(of: RetentionSummary.self)
      let database = f.hub.oversight
      let audit = f.auditor()
      let summaries = await withTaskGroup(of: Void.self) { group in
        group.addTask {
          await HubRetention.runDaily(
            database: database, policy: RetentionPolicy(), interval: .milliseconds(20), logger: quietLogger,
            audit: audit, onRun: { continuation.yield($0) })
        }
        var summaries: [RetentionSummary] = []
        for await summary in runs {
          summaries.append(summary)
          if summaries.count == 2 { break }
        }
        group.cancelAll()
        return summaries
      }
      // The fixture's dates lie after today except the two added below, decades old.
      #expect(summaries.first?.candidates == 2)
      #expect(summaries.last?.candidates == 0)
      #expect(try f.withEvidence() == f.all)
      #expect(try f.marked() == [old, oldRejected])
      #expect(try await f.hub.storage.auditEntries().count >= 2)
      #expect(try await service.verifyAuditChain() == nil)
    }
  }
}
