// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB
import Logging

/// What one retention run deleted (or, dry, would delete). Counts only: no ids, no plate text.
public struct RetentionSummary: Sendable, Equatable, Codable {
  /// Whether nothing was deleted.
  public var dryRun: Bool
  /// The instant the run took as now.
  public var now: Date
  /// Violations whose evidence went because their citation closed long enough ago.
  public var closedCitations = 0
  /// Violations whose evidence went because their citation never closed (`open_citation_years`
  /// after the decision).
  public var openCitations = 0
  /// Rejected candidates whose evidence went.
  public var rejected = 0
  /// Pending candidates that expired unreviewed (`pending_days`), their evidence gone.
  public var expiredPending = 0
  /// `evidence` rows deleted.
  public var evidenceRows = 0
  /// Sealed corrected plate texts cleared.
  public var correctedTexts = 0
  /// Transactions committed.
  public var batches = 0

  /// Candidates whose evidence went.
  public var candidates: Int { closedCitations + openCitations + rejected + expiredPending }

  /// The line written to the access audit and printed by the command.
  public var detail: String {
    "closed_citations=\(closedCitations) open_citations=\(openCitations) rejected=\(rejected) expired_pending=\(expiredPending) evidence_rows=\(evidenceRows) "
      + "corrected_texts=\(correctedTexts) batches=\(batches)\(dryRun ? " dry_run" : "")"
  }
}

extension RetentionSummary {
  /// Adds `n` due candidates of a kind (0 closed citation, 1 open citation, 2 rejected).
  mutating func count(kind: Int, _ n: Int) {
    switch kind {
    case 2: rejected += n
    case 1: openCitations += n
    default: closedCitations += n
    }
  }
}

/// Writes a retention run to the hub's hash-chained access audit. The hub supplies it (its audit
/// chain is its own); oversight calls it once per run that deleted or could have deleted.
public typealias RetentionAuditor = @Sendable (RetentionSummary) async throws -> Void

/// Retention at the hub: deletes the evidence that is due under a `RetentionPolicy` and keeps the
/// plate-free candidate row and decision for the annual report. Deleting evidence means deleting
/// its `evidence` rows, clearing the sealed `corrected_text` and the officer's note, and stamping
/// `candidate.evidence_deleted_at`.
public enum HubRetention {
  /// Runs retention once as of `now`, one transaction per `policy.batchSize` candidates, then
  /// writes one audit entry through `audit` (not for a dry run, which deletes nothing).
  public static func run(
    database: OversightDatabase, policy: RetentionPolicy, now: Date = Date(), dryRun: Bool = false,
    logger: Logger, audit: RetentionAuditor?
  ) async throws -> RetentionSummary {
    let closedCutoff = policy.closedCutoff(now: now).millisecondsSince1970
    let rejectedCutoff = policy.rejectedCutoff(now: now).millisecondsSince1970
    let openCutoff = policy.openCitationCutoff(now: now).millisecondsSince1970
    let stamp = now.millisecondsSince1970
    var summary = RetentionSummary(dryRun: dryRun, now: now)
    let due = """
      FROM candidate c JOIN review_decision d ON d.candidate_id = c.id
      WHERE c.evidence_deleted_at IS NULL AND c.review_state <> 'pending' AND (
        (d.outcome IN ('accepted', 'corrected') AND d.citation_closed_at IS NOT NULL AND d.citation_closed_at <= ?)
        OR (d.outcome IN ('accepted', 'corrected') AND d.citation_closed_at IS NULL AND d.decided_at <= ?)
        OR (d.outcome = 'rejected' AND d.decided_at <= ?))
      """
    // Which count a due candidate goes to: 0 closed citation, 1 open citation, 2 rejected.
    let kind = "CASE WHEN d.outcome = 'rejected' THEN 2 WHEN d.citation_closed_at IS NULL THEN 1 ELSE 0 END"
    let arguments: StatementArguments = [closedCutoff, openCutoff, rejectedCutoff]
    if dryRun, let cutoff = policy.pendingCutoff(now: now) {
      let (count, evidence) = try await database.read("counting pending candidates due to expire") { db in
        let row = try Row.fetchOne(
          db,
          sql: """
            SELECT count(*) AS n, sum((SELECT count(*) FROM evidence e WHERE e.candidate_id = c.id)) AS evidence
            FROM candidate c WHERE c.review_state = 'pending' AND c.evidence_deleted_at IS NULL AND c.received_at <= ?
            """, arguments: [cutoff.millisecondsSince1970])
        return ((row?["n"] as Int?) ?? 0, (row?["evidence"] as Int?) ?? 0)
      }
      summary.expiredPending = count
      summary.evidenceRows += evidence
    }
    if dryRun {
      let start = summary
      summary = try await database.read("counting evidence due for deletion") { db in
        var summary = start
        let rows = try Row.fetchAll(
          db,
          sql: """
            SELECT \(kind) AS kind, count(*) AS n,
              sum((SELECT count(*) FROM evidence e WHERE e.candidate_id = c.id)) AS evidence,
              sum(CASE WHEN d.corrected_text IS NULL THEN 0 ELSE 1 END) AS corrected
            \(due) GROUP BY \(kind)
            """, arguments: arguments)
        for row in rows {
          summary.count(kind: row["kind"], row["n"])
          summary.evidenceRows += row["evidence"] as Int? ?? 0
          summary.correctedTexts += row["corrected"] as Int? ?? 0
        }
        return summary
      }
    } else {
      while true {
        let batch = try await database.write("deleting evidence due for deletion") { db -> RetentionSummary? in
          let rows = try Row.fetchAll(
            db, sql: "SELECT c.id, \(kind) AS kind \(due) ORDER BY c.id LIMIT ?",
            arguments: arguments + [policy.batchSize])
          guard !rows.isEmpty else { return nil }
          var batch = RetentionSummary(dryRun: false, now: now)
          batch.batches = 1
          for row in rows {
            let id: String = row["id"]
            batch.count(kind: row["kind"], 1)
            try db.execute(sql: "DELETE FROM evidence WHERE candidate_id = ?", arguments: [id])
            batch.evidenceRows += db.changesCount
            try db.execute(
              sql:
                "UPDATE review_decision SET corrected_text = NULL WHERE candidate_id = ? AND corrected_text IS NOT NULL",
              arguments: [id])
            batch.correctedTexts += db.changesCount
            // The officer's free-text note goes with the evidence it speaks of.
            try db.execute(
              sql: "UPDATE review_decision SET note = '' WHERE candidate_id = ? AND note <> ''", arguments: [id])
            try db.execute(sql: "UPDATE candidate SET evidence_deleted_at = ? WHERE id = ?", arguments: [stamp, id])
          }
          return batch
        }
        guard let batch else { break }
        summary.closedCitations += batch.closedCitations
        summary.openCitations += batch.openCitations
        summary.rejected += batch.rejected
        summary.evidenceRows += batch.evidenceRows
        summary.correctedTexts += batch.correctedTexts
        summary.batches += 1
      }
      try await expirePending(database: database, policy: policy, now: now, stamp: stamp, into: &summary)
      try await audit?(summary)
    }
    logger.info(
      "Retention ran.",
      metadata: [
        "retention.closed_citations": "\(summary.closedCitations)",
        "retention.open_citations": "\(summary.openCitations)", "retention.rejected": "\(summary.rejected)",
        "retention.evidence_rows": "\(summary.evidenceRows)", "retention.corrected_texts": "\(summary.correctedTexts)",
        "retention.dry_run": "\(dryRun)",
      ])
    return summary
  }

  /// Expires pending candidates received before the policy's cutoff, one transaction a batch:
  /// their evidence deleted, `review_state` `expired`, `evidence_deleted_at` stamped.
  static func expirePending(
    database: OversightDatabase, policy: RetentionPolicy, now: Date, stamp: Int64, into summary: inout RetentionSummary
  ) async throws {
    guard let cutoff = policy.pendingCutoff(now: now) else { return }
    let limit = cutoff.millisecondsSince1970
    while true {
      let batch = try await database.write("expiring pending candidates") { db -> (Int, Int)? in
        let ids = try String.fetchAll(
          db,
          sql: """
            SELECT id FROM candidate WHERE review_state = 'pending' AND evidence_deleted_at IS NULL AND received_at <= ?
            ORDER BY id LIMIT ?
            """, arguments: [limit, policy.batchSize])
        guard !ids.isEmpty else { return nil }
        var evidence = 0
        for id in ids {
          try db.execute(sql: "DELETE FROM evidence WHERE candidate_id = ?", arguments: [id])
          evidence += db.changesCount
          try db.execute(
            sql: "UPDATE candidate SET review_state = 'expired', evidence_deleted_at = ? WHERE id = ?",
            arguments: [stamp, id])
        }
        return (ids.count, evidence)
      }
      guard let (count, evidence) = batch else { return }
      summary.expiredPending += count
      summary.evidenceRows += evidence
      summary.batches += 1
    }
  }

  /// The daily job `chalkline-hub serve` runs beside its server: retention at once, then every
  /// `interval` (a day), until the task is cancelled. A failed run is logged and tried again at
  /// the next turn; `onRun` sees each summary (tests count them).
  public static func runDaily(
    database: OversightDatabase, policy: RetentionPolicy, interval: Duration = .seconds(86_400),
    logger: Logger, audit: RetentionAuditor?, onRun: @Sendable (RetentionSummary) async -> Void = { _ in }
  ) async {
    while !Task.isCancelled {
      do {
        let summary = try await run(database: database, policy: policy, now: Date(), logger: logger, audit: audit)
        logger.info("Daily retention finished.", metadata: ["retention.summary": "\(summary.detail)"])
        await onRun(summary)
      } catch {
        logger.error("Daily retention failed; it runs again tomorrow.", metadata: ["error": "\(error)"])
      }
      do { try await Task.sleep(for: interval) } catch { return }
    }
  }
}
