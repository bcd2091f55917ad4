// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import GRDB
import Logging
import Wire

/// A chalk mark offered to the vault with the sealed evidence of its first sighting.
public struct NewChalkMark: Sendable {
  /// The ledger's mark (its first sighting's evidence must be `evidence.id`).
  public var mark: ChalkMark
  /// The first sighting's sealed evidence.
  public var evidence: SealedEvidence

  /// Pairs a mark with its evidence.
  public init(mark: ChalkMark, evidence: SealedEvidence) {
    self.mark = mark
    self.evidence = evidence
  }
}

extension Vault {
  /// The hasher for a window: its key is created and the window registered on first use, in one
  /// transaction, and both are destroyed together by retention once the window closes. A later
  /// call with a later `expiresAt` extends the window (one small write); an earlier one never
  /// shortens it.
  public func plateHasher(for window: ChalkWindow) throws -> PlateHasher {
    let cipher = self.cipher
    let key = try windowKeys.key(for: window.id, expiresAtMS: window.expiresAt.millisecondsSince1970) {
      try write("Registering chalk window \(window.id)") { db in
        // The window's opening is kept to the hour: it would otherwise date the day's first sighting.
        let opened = Date().millisecondsSince1970
        try db.execute(
          sql: """
            INSERT INTO chalk_window (id, created_at, expires_at) VALUES (?, ?, ?)
            ON CONFLICT(id) DO UPDATE SET expires_at = max(expires_at, excluded.expires_at)
            """,
          arguments: [window.id, opened - opened % 3_600_000, window.expiresAt.millisecondsSince1970])
        if let sealed = try Data.fetchOne(
          db, sql: "SELECT sealed FROM window_key WHERE window_id = ?", arguments: [window.id])
        {
          return try WindowKeyStore.open(sealed, window: window.id, cipher)
        }
        let key = SymmetricKey(size: .bits256)
        try db.execute(
          sql: "INSERT INTO window_key (window_id, sealed) VALUES (?, ?)",
          arguments: [window.id, try WindowKeyStore.seal(key, window: window.id, cipher)])
        return key
      }
    }
    return PlateHasher(window: window, key: key)
  }

  /// Stores chalk marks with their evidence, in one transaction. When the vault is at its quota,
  /// or its file system would be left with less than the reserved free space, the remaining marks
  /// are refused and counted; nothing already stored is dropped. A file system that is full
  /// outright throws `.diskFull` (nothing written).
  @discardableResult
  public func recordChalkMarks(_ marks: [NewChalkMark]) throws -> [ChalkMarkOutcome] {
    let cipher = self.cipher
    let sealed = try marks.map { new in
      guard new.mark.evidenceID == new.evidence.id else {
        throw VaultError(.invalidArgument, "Chalk mark \(new.mark.id) names evidence other than the one given with it.")
      }
      guard let window = new.mark.window else {
        throw VaultError(.invalidArgument, "Chalk mark \(new.mark.id) has no keyed plate reading.")
      }
      return (window.rawValue, try cipher.seal(ChalkMarkPayload.encode(new.mark), binding: new.mark.id.bytes))
    }
    let limit = configuration.maxBytes
    // What the file system may still give chalk marks: its free space above the reserve. A mark
    // costs its bytes twice (the WAL, then the database file at the checkpoint).
    var spare = freeBytes().map { $0 - configuration.reservedFreeBytes } ?? .max
    let outcomes = try write("Storing \(marks.count) chalk marks") { db -> [ChalkMarkOutcome] in
      var used = try Self.liveBytes(db)
      var outcomes: [ChalkMarkOutcome] = []
      outcomes.reserveCapacity(marks.count)
      var refused = 0
      for (new, (window, payload)) in zip(marks, sealed) {
        let cost =
          Int64(
            new.evidence.ciphertext.count + new.evidence.encapsulatedKey.count + payload.count
              + new.evidence.bindings.count * 100) + 256
        if used + cost > limit || spare < 2 * cost {
          outcomes.append(used + cost > limit ? .refusedQuotaFull : .refusedDiskFull)
          refused += 1
          continue
        }
        spare -= 2 * cost
        try Self.insertEvidence(new.evidence, cipher, db)
        try db.cachedStatement(sql: "INSERT INTO chalk_mark (id, window_id, evidence_id, payload) VALUES (?, ?, ?, ?)")
          .execute(arguments: [new.mark.id, window, new.evidence.id, payload])
        used += cost
        outcomes.append(.stored)
      }
      if refused > 0 {
        try db.execute(
          sql: "UPDATE counter SET value = value + ? WHERE name = 'chalk_marks_refused'", arguments: [refused])
      }
      return outcomes
    }
    let refused = outcomes.count(where: \.isRefused)
    if refused > 0 {
      logger.warning(
        "vault full: chalk marks refused",
        metadata: [
          "vault.refused": "\(refused)", "vault.max_bytes": "\(limit)",
          "vault.disk_free_bytes": "\(freeBytes().map { "\($0)" } ?? "-")",
          "vault.reserved_free_bytes": "\(configuration.reservedFreeBytes)",
        ])
    }
    return outcomes
  }

  /// Stores one chalk mark with its evidence.
  @discardableResult
  public func recordChalkMark(_ mark: ChalkMark, evidence: SealedEvidence) throws -> ChalkMarkOutcome {
    try recordChalkMarks([NewChalkMark(mark: mark, evidence: evidence)])[0]
  }

  /// The chalk marks in `windowID` that share any of `hashes`. There is no hash index on disk (it
  /// would link one car's marks for anyone holding the file): the window's marks are decrypted and
  /// compared, which the ledger never needs on the road (it matches in memory).
  public func chalkMarks(matching hashes: [PlateHash], in windowID: String) throws -> [ChalkMark] {
    guard !hashes.isEmpty else { return [] }
    let cipher = self.cipher
    let wanted = Set(hashes)
    return try read("Looking up chalk marks") { db in
      try Row.fetchAll(
        db, sql: "SELECT id, window_id, evidence_id, payload FROM chalk_mark WHERE window_id = ?", arguments: [windowID]
      )
      .compactMap { try Self.decodeMark($0, cipher) }
      .filter { mark in mark.plateHashes.contains(where: wanted.contains) }
    }
  }

  /// The chalk mark with `id`, if stored (and not of a format the ledger cannot be rebuilt from).
  public func chalkMark(id: UUID) throws -> ChalkMark? {
    let cipher = self.cipher
    return try read("Reading chalk mark") { db in
      try Row.fetchOne(
        db, sql: "SELECT id, window_id, evidence_id, payload FROM chalk_mark WHERE id = ?", arguments: [id]
      )
      .flatMap { try Self.decodeMark($0, cipher) }
    }
  }

  /// Every stored chalk mark, oldest first: what the ledger is rebuilt from after a restart.
  /// Marks of an older format that lack their policy are left out (retention deletes them).
  public func liveChalkMarks() throws -> [ChalkMark] {
    let cipher = self.cipher
    return try read("Reading chalk marks") { db in
      try Row.fetchAll(db, sql: "SELECT id, window_id, evidence_id, payload FROM chalk_mark")
        .compactMap { try Self.decodeMark($0, cipher) }
        .sorted { ($0.first.time, $0.id.uuidString) < ($1.first.time, $1.id.uuidString) }
    }
  }

  /// Records a later sighting of a marked car: sets its last-seen time, and flags the stay once
  /// it became a candidate (`flagged: true` is never undone).
  public func updateLastSeen(of markID: UUID, to time: Date, flagged: Bool = false) throws {
    let cipher = self.cipher
    try write("Updating chalk mark") { db in
      guard
        let row = try Row.fetchOne(
          db, sql: "SELECT id, window_id, evidence_id, payload FROM chalk_mark WHERE id = ?", arguments: [markID])
      else { return }
      guard var mark = try Self.decodeMark(row, cipher) else { return }
      mark.last.time = max(mark.last.time, time).roundedToMilliseconds
      mark.flagged = mark.flagged || flagged
      try db.execute(
        sql: "UPDATE chalk_mark SET payload = ? WHERE id = ?",
        arguments: [try cipher.seal(ChalkMarkPayload.encode(mark), binding: markID.bytes), markID])
    }
  }

  /// Deletes a chalk mark (for example when the car left) and its evidence unless a candidate
  /// still needs it.
  public func deleteChalkMark(id: UUID) throws {
    try write("Deleting chalk mark", usingReserve: true) { db in
      let evidence = try UUID.fetchOne(db, sql: "SELECT evidence_id FROM chalk_mark WHERE id = ?", arguments: [id])
      try db.execute(sql: "DELETE FROM chalk_mark WHERE id = ?", arguments: [id])
      if let evidence { try Self.deleteEvidenceIfUnreferenced([evidence], db) }
    }
  }

  static func decodeMark(_ row: Row, _ cipher: StorageCipher) throws -> ChalkMark? {
    let id: UUID = row["id"]
    let payload = try cipher.open(row["payload"], binding: id.bytes)
    return try ChalkMarkPayload.decode(payload, id: id, windowID: row["window_id"], evidenceID: row["evidence_id"])
  }

  static func insertEvidence(_ evidence: SealedEvidence, _ cipher: StorageCipher, _ db: Database) throws {
    let header = try cipher.seal(
      EvidenceHeader.encode(
        capturedAtMS: evidence.capturedAt.millisecondsSince1970, plateSHA256: evidence.plateSHA256,
        vehicleSHA256: evidence.vehicleSHA256, bindings: evidence.bindings), binding: evidence.id.bytes)
    // Format v3 keeps its encapsulated keys (one per binding) in the sealed header; the column
    // holds the format's number then.
    try db.cachedStatement(
      sql: "INSERT INTO evidence (id, header, encapsulated_key, ciphertext) VALUES (?, ?, ?, ?)"
    ).execute(arguments: [
      evidence.id, header, evidence.bindings.isEmpty ? evidence.encapsulatedKey : Data([3]), evidence.ciphertext,
    ])
  }

  static func fetchEvidence(_ id: UUID, _ cipher: StorageCipher, _ db: Database) throws -> SealedEvidence? {
    try Row.fetchOne(db, sql: "SELECT * FROM evidence WHERE id = ?", arguments: [id]).map { row in
      let header = try EvidenceHeader.decode(cipher.open(row["header"], binding: id.bytes), id: id)
      return SealedEvidence(
        id: row["id"], capturedAt: Date(millisecondsSince1970: header.capturedAtMS), plateSHA256: header.plateSHA256,
        vehicleSHA256: header.vehicleSHA256,
        encapsulatedKey: header.bindings.isEmpty ? row["encapsulated_key"] : Data(),
        ciphertext: row["ciphertext"], bindings: header.bindings)
    }
  }

  /// Deletes each evidence row no chalk mark and no candidate holds; returns how many went.
  @discardableResult
  static func deleteEvidenceIfUnreferenced(_ ids: [UUID], _ db: Database) throws -> Int {
    var deleted = 0
    for id in ids {
      try db.execute(
        sql: """
          DELETE FROM evidence WHERE id = ?1
            AND NOT EXISTS (SELECT 1 FROM chalk_mark WHERE evidence_id = ?1)
            AND NOT EXISTS (SELECT 1 FROM candidate_evidence WHERE evidence_id = ?1)
          """, arguments: [id])
      deleted += db.changesCount
    }
    return deleted
  }

  /// Bytes in live (non-free) pages of the main database.
  static func liveBytes(_ db: Database) throws -> Int64 {
    let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
    let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
    let size = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
    return (pages - free) * size
  }
}
