// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import GRDB
import Wire

/// What happened to a candidate offered to the outbox.
public enum EnqueueOutcome: Sendable, Equatable {
  /// Signed and queued with its evidence.
  case queued
  /// A candidate with this id was already queued (the first one is kept).
  case alreadyQueued
}

extension Vault {
  /// Signs the ledger's candidate's manifest with the device key and queues it with the sealed
  /// evidence of both sightings, in one transaction: after a crash either all of it is there or
  /// none of it. A sighting's evidence is the one of `sealed` with its id (sealed just now, or kept
  /// in memory while the disk was full), else the row the vault holds. Never refused for the
  /// quota: unsynced evidence is never dropped.
  @discardableResult
  public func enqueueCandidate(_ candidate: Candidate, sealed: [SealedEvidence] = []) throws -> EnqueueOutcome {
    let keyring = self.keyring
    let cipher = StorageCipher(keyring: keyring)
    let device = keyFingerprint(keyring.deviceKey.publicKey.rawRepresentation)
    let id = candidate.id
    var sightings: [(sighting: Sighting, position: CurbPosition, evidence: UUID)] = []
    for sighting in [candidate.first, candidate.second] {
      guard let position = sighting.position, let evidence = sighting.evidence.uuid else {
        throw VaultError(.invalidArgument, "Candidate \(id) has a sighting without a position or vault evidence.")
      }
      sightings.append((sighting, position, evidence))
    }
    return try write("Queuing candidate \(id)", usingReserve: true) { db -> EnqueueOutcome in
      if try Bool.fetchOne(db, sql: "SELECT 1 FROM candidate WHERE id = ?", arguments: [id]) == true {
        return .alreadyQueued
      }
      var evidence: [SealedEvidence] = []
      for (_, _, evidenceID) in sightings {
        let stored = try Self.fetchEvidence(evidenceID, cipher, db)
        if stored == nil, let given = sealed.first(where: { $0.id == evidenceID }) {
          try Self.insertEvidence(given, cipher, db)
          evidence.append(try Self.bind(given, to: id))
        } else if let stored {
          evidence.append(try Self.bind(stored, to: id))
        } else {
          throw VaultError(
            .evidenceMissing, "Candidate \(id) names evidence \(evidenceID), which the vault no longer holds.")
        }
      }
      let manifest = WireManifest(
        version: 1, id: id, device: device, rule: candidate.rule.wireName, zone: candidate.zone.rawValue,
        decidedAt: UTCTime.format(candidate.second.time),
        sightings: zip(sightings, evidence).map { sighting, sealed in
          WireManifest.Sighting(
            time: UTCTime.format(sighting.sighting.time), latitude: sighting.position.latitude,
            longitude: sighting.position.longitude, uncertaintyM: sighting.position.uncertainty,
            evidenceId: sealed.id, plateSha256: sealed.plateSHA256.hexString,
            vehicleSha256: sealed.vehicleSHA256.hexString, sealedSha256: sealed.sealedSHA256.hexString)
        }, readConfidence: (candidate.confidence * 1000).rounded() / 1000)
      let json = try manifest.canonicalJSON()
      let signature: Data
      do { signature = try keyring.deviceKey.signature(for: json) } catch {
        throw VaultError(.crypto, "Signing candidate \(id) failed.", cause: error)
      }
      let payload = try cipher.seal(CandidatePayload.encode(manifest: json, signature: signature), binding: id.bytes)
      try db.execute(
        sql: "INSERT INTO candidate (id, queued_at, evidence_count, payload) VALUES (?, ?, ?, ?)",
        arguments: [id, Date().millisecondsSince1970, evidence.count, payload])
      for (position, sealed) in evidence.enumerated() {
        try db.execute(
          sql: "INSERT INTO candidate_evidence (candidate_id, position, evidence_id) VALUES (?, ?, ?)",
          arguments: [id, position, sealed.id])
      }
      return .queued
    }
  }

  /// The sealed evidence row `id`, if stored: what a candidate that must wait for disk space takes
  /// along in memory, so that the row may go with its chalk mark meanwhile.
  public func sealedEvidence(id: UUID) throws -> SealedEvidence? {
    let cipher = self.cipher
    return try read("Reading evidence") { db in try Self.fetchEvidence(id, cipher, db) }
  }

  /// Queued candidates, oldest first, ready to upload.
  public func pendingCandidates(limit: Int = 100) throws -> [OutboxCandidate] {
    let cipher = self.cipher
    return try read("Reading the outbox") { db in
      let rows = try Row.fetchAll(
        db, sql: "SELECT id, queued_at, evidence_count, payload FROM candidate ORDER BY queued_at, id LIMIT ?",
        arguments: [limit])
      return try rows.map { row in try Self.decodeCandidate(row, cipher, db) }
    }
  }

  /// The number of queued candidates.
  public func pendingCandidateCount() throws -> Int {
    try read("Counting the outbox") { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM candidate") ?? 0 }
  }

  /// Deletes candidates the upstream acknowledged, with their evidence unless a chalk mark still
  /// holds it, and writes one audit entry, then scrubs (vacuum and truncating checkpoint) so that
  /// their rows leave the WAL too; a scrub a reader defers is owed to the next retention pass.
  /// Unknown ids are ignored (acknowledgements repeat). A failed deletion is counted
  /// (`vault_delete_failures`) and thrown. Returns how many were deleted.
  @discardableResult
  public func acknowledge(_ ids: [UUID], actor: String = "uplink") throws -> Int {
    let deleted: Int
    do {
      deleted = try write("Deleting acknowledged candidates", usingReserve: true) { db in
        var deleted = 0
        for id in ids {
          let evidence = try UUID.fetchAll(
            db, sql: "SELECT evidence_id FROM candidate_evidence WHERE candidate_id = ?", arguments: [id])
          try db.execute(sql: "DELETE FROM candidate WHERE id = ?", arguments: [id])
          deleted += db.changesCount
          try Self.deleteEvidenceIfUnreferenced(evidence, db)
        }
        if deleted > 0 {
          try Self.appendAudit(
            actor: actor, action: "outbox.acknowledged", purpose: "upstream acknowledged receipt",
            detail: "candidates=\(deleted)", at: Date(), db)
        }
        return deleted
      }
    } catch {
      noteDeleteFailure()
      throw error
    }
    // The deletion committed: a scrub that is deferred or fails is logged, counted and owed.
    scrubIfOwed(due: deleted > 0)
    return deleted
  }

  /// The evidence as candidate `candidate` sends it (`SealedEvidence.bound(to:)`), refused as
  /// `.evidenceMissing` when it was not sealed for that candidate.
  static func bind(_ sealed: SealedEvidence, to candidate: UUID) throws -> SealedEvidence {
    do { return try sealed.bound(to: candidate) } catch {
      throw VaultError(.evidenceMissing, error.message)
    }
  }

  static func decodeCandidate(_ row: Row, _ cipher: StorageCipher, _ db: Database) throws -> OutboxCandidate {
    let id: UUID = row["id"]
    let (manifest, signature) = try CandidatePayload.decode(cipher.open(row["payload"], binding: id.bytes), id: id)
    let ids = try UUID.fetchAll(
      db, sql: "SELECT evidence_id FROM candidate_evidence WHERE candidate_id = ? ORDER BY position", arguments: [id])
    let evidence = try ids.map { evidenceID in
      guard let sealed = try fetchEvidence(evidenceID, cipher, db) else {
        throw VaultError(.evidenceMissing, "Candidate \(id) lost evidence \(evidenceID); the database is damaged.")
      }
      return try bind(sealed, to: id)
    }
    guard evidence.count == row["evidence_count"] as Int else {
      throw VaultError(
        .evidenceMissing, "Candidate \(id) has \(evidence.count) evidence rows, not \(row["evidence_count"] as Int).")
    }
    return OutboxCandidate(
      id: id, queuedAt: Date(millisecondsSince1970: row["queued_at"]), manifestJSON: manifest, signature: signature,
      evidence: evidence)
  }

  // MARK: - Aggregates

  /// Adds plate-free counts to an hour and area.
  public func addToAggregate(
    hour: Date, area: AggregateArea, reads: Int = 0, chalkMarks: Int = 0, candidates: Int = 0
  )
    throws
  {
    try write("Updating aggregates") { db in
      try db.execute(
        sql: """
          INSERT INTO aggregate (hour, area, reads, chalk_marks, candidates, synced) VALUES (?, ?, ?, ?, ?, 0)
          ON CONFLICT(hour, area) DO UPDATE SET reads = reads + excluded.reads,
            chalk_marks = chalk_marks + excluded.chalk_marks, candidates = candidates + excluded.candidates, synced = 0
          """,
        arguments: [hourStart(hour), area.stored, reads, chalkMarks, candidates])
    }
  }

  /// Aggregates, oldest hour first; with `unsyncedOnly`, only those the upstream has not acknowledged.
  public func aggregates(unsyncedOnly: Bool = false) throws -> [WireAggregate] {
    try read("Reading aggregates") { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM aggregate \(unsyncedOnly ? "WHERE synced = 0" : "") ORDER BY hour, area"
      ).compactMap { row in
        AggregateArea(stored: row["area"]).map { area in
          WireAggregate(
            hour: Date(millisecondsSince1970: row["hour"]), place: area, reads: row["reads"],
            chalkMarks: row["chalk_marks"], candidates: row["candidates"])
        }
      }
    }
  }

  /// Marks aggregates as acknowledged by the upstream (only if unchanged since they were read; an
  /// area kind this version does not know matches no row).
  public func markAggregatesSynced(_ synced: [WireAggregate]) throws {
    try write("Marking aggregates synced") { db in
      for aggregate in synced {
        guard let place = aggregate.place else { continue }
        try db.execute(
          sql: """
            UPDATE aggregate SET synced = 1
            WHERE hour = ? AND area = ? AND reads = ? AND chalk_marks = ? AND candidates = ?
            """,
          arguments: [
            hourStart(aggregate.hour), place.stored, aggregate.reads, aggregate.chalkMarks,
            aggregate.candidates,
          ])
      }
    }
  }
}

/// The start of the UTC hour holding `date`, in milliseconds: the `aggregate` table's key.
private func hourStart(_ date: Date) -> Int64 {
  let ms = date.millisecondsSince1970
  return ms - ((ms % 3_600_000) + 3_600_000) % 3_600_000
}
