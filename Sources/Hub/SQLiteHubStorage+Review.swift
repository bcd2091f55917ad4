// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB
import Wire

/// What officer review needs of the hub's storage: a paged queue, one candidate, decisions and
/// the export marks. Queries stay to SQL that PostgreSQL runs as well.
public protocol ReviewStorage: Sendable {
  /// One page of candidates in a review state, oldest first (`LIMIT`/`OFFSET` on the
  /// `candidate_review_queue (review_state, received_at, id)` index), without their evidence.
  func reviewQueue(state: String, offset: Int, limit: Int) async throws -> [ReviewQueueRow]
  /// How many candidates are in a review state.
  func candidateCount(reviewState: String) async throws -> Int
  /// One candidate with its sealed evidence.
  func candidate(id: UUID) async throws -> StoredCandidate?
  /// The decision on a candidate, if one was made.
  func decision(candidateID: UUID) async throws -> ReviewDecision?
  /// Stores a decision and sets `candidate.review_state` to its outcome in one transaction.
  /// Throws `HubError(.conflict)` when the candidate was already decided, `.notFound` when it
  /// does not exist.
  func storeDecision(_ decision: ReviewDecision) async throws
  /// Decided candidates with the given outcomes, optionally decided at or after `since`,
  /// oldest decision first.
  func decidedCandidates(outcomes: [ReviewDecision.Outcome], since: Date?) async throws -> [DecidedCandidate]
  /// Marks decisions as exported to the ticketing system.
  func markExported(_ ids: [UUID], at: Date) async throws
}

extension SQLiteHubStorage {
  public func reviewQueue(state: String, offset: Int, limit: Int) async throws -> [ReviewQueueRow] {
    try await read("reading the review queue") { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT id, device_id, rule, zone, received_at, decided_at, elapsed_s, read_confidence FROM candidate
          WHERE id IN (
            SELECT id FROM candidate WHERE review_state = ? ORDER BY received_at, id LIMIT ? OFFSET ?)
          ORDER BY received_at, id
          """,
        arguments: [state, limit, offset]
      ).map { row in
        ReviewQueueRow(
          id: UUID(uuidString: row["id"]) ?? UUID(), device: row["device_id"], rule: row["rule"], zone: row["zone"],
          receivedAt: Date(millisecondsSince1970: row["received_at"]), decidedAt: row["decided_at"],
          elapsedS: row["elapsed_s"], readConfidence: row["read_confidence"])
      }
    }
  }

  public func candidateCount(reviewState: String) async throws -> Int {
    try await read("counting candidates") { db in
      try Int.fetchOne(db, sql: "SELECT count(*) FROM candidate WHERE review_state = ?", arguments: [reviewState])
        ?? 0
    }
  }

  public func candidate(id: UUID) async throws -> StoredCandidate? {
    try await read("reading a candidate") { db in
      try Row.fetchOne(db, sql: "SELECT * FROM candidate WHERE id = ?", arguments: [id.uuidString])
        .map { try Self.storedCandidate($0, db) }
    }
  }

  public func decision(candidateID: UUID) async throws -> ReviewDecision? {
    try await read("reading a decision") { db in
      try Row.fetchOne(
        db, sql: "SELECT * FROM review_decision WHERE candidate_id = ?", arguments: [candidateID.uuidString]
      ).map(Self.reviewDecision)
    }
  }

  public func storeDecision(_ decision: ReviewDecision) async throws {
    let id = decision.candidateID.uuidString
    // Thrown out of the transaction as a value, so the GRDB error wrapper does not hide it.
    let refusal: HubError? = try await write("storing a decision") { db in
      guard try Int.fetchOne(db, sql: "SELECT count(*) FROM candidate WHERE id = ?", arguments: [id]) == 1 else {
        return HubError(.notFound, "Candidate \(id) does not exist.")
      }
      try db.execute(
        sql: """
          INSERT INTO review_decision (candidate_id, outcome, reason, note, corrected_text, reviewer, decided_at)
          VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (candidate_id) DO NOTHING
          """,
        arguments: [
          id, decision.outcome.rawValue, decision.reason?.rawValue ?? "", decision.note, decision.sealedCorrectedText,
          decision.reviewer, decision.decidedAt.millisecondsSince1970,
        ])
      guard db.changesCount == 1 else {
        return HubError(.conflict, "Candidate \(id) was already decided; a decision is not changed silently.")
      }
      try db.execute(
        sql: "UPDATE candidate SET review_state = ? WHERE id = ?", arguments: [decision.outcome.rawValue, id])
      return nil
    }
    if let refusal { throw refusal }
  }

  public func decidedCandidates(outcomes: [ReviewDecision.Outcome], since: Date?) async throws -> [DecidedCandidate] {
    let states = outcomes.map(\.rawValue)
    let sinceMs = since?.millisecondsSince1970 ?? Int64.min
    return try await read("reading decided candidates") { db in
      let marks = Array(repeating: "?", count: max(states.count, 1)).joined(separator: ", ")
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT c.*, d.candidate_id, d.outcome, d.reason, d.note, d.corrected_text, d.reviewer,
            d.decided_at AS review_decided_at, d.exported_at
          FROM review_decision d JOIN candidate c ON c.id = d.candidate_id
          WHERE d.outcome IN (\(marks)) AND d.decided_at >= ? ORDER BY d.decided_at, d.candidate_id
          """,
        arguments: StatementArguments(states.isEmpty ? [""] : states) + [sinceMs])
      return try rows.map { row in
        DecidedCandidate(candidate: try Self.storedCandidate(row, db), decision: Self.reviewDecision(row))
      }
    }
  }

  public func markExported(_ ids: [UUID], at: Date) async throws {
    try await write("marking exported decisions") { db in
      for id in ids {
        try db.execute(
          sql: "UPDATE review_decision SET exported_at = ? WHERE candidate_id = ?",
          arguments: [at.millisecondsSince1970, id.uuidString])
      }
    }
  }

  static func reviewDecision(_ row: Row) -> ReviewDecision {
    let decided: Int64 = row["review_decided_at"] ?? row["decided_at"]
    let exported: Int64? = row["exported_at"]
    return ReviewDecision(
      candidateID: UUID(uuidString: row["candidate_id"]) ?? UUID(),
      outcome: ReviewDecision.Outcome(rawValue: row["outcome"]) ?? .rejected,
      reason: ReviewDecision.Reason(rawValue: row["reason"]), note: row["note"],
      sealedCorrectedText: row["corrected_text"], reviewer: row["reviewer"],
      decidedAt: Date(millisecondsSince1970: decided), exportedAt: exported.map { Date(millisecondsSince1970: $0) })
  }

  /// A `candidate` row with its evidence.
  static func storedCandidate(_ row: Row, _ db: Database) throws -> StoredCandidate {
    let id: String = row["id"]
    let evidence = try Row.fetchAll(
      db, sql: "SELECT * FROM evidence WHERE candidate_id = ? ORDER BY position", arguments: [id]
    ).map { e in
      WireEvidence(
        id: UUID(uuidString: e["id"]) ?? UUID(), capturedAt: UTCTime.parse(e["captured_at"] as String) ?? Date(),
        plateSha256: e["plate_sha256"], vehicleSha256: e["vehicle_sha256"],
        encapsulatedKey: e["encapsulated_key"], ciphertext: e["ciphertext"])
    }
    return StoredCandidate(
      id: UUID(uuidString: id) ?? UUID(), device: row["device_id"], rule: row["rule"], zone: row["zone"],
      manifest: try WireManifest.decode(row["manifest"]),
      receivedAt: Date(millisecondsSince1970: row["received_at"]), reviewState: row["review_state"],
      evidence: evidence)
  }
}
