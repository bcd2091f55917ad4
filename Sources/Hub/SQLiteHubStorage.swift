// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import GRDB
import Synchronization
import Wire

/// The hub's storage in one SQLite file (GRDB, WAL). Ids are TEXT, times ISO 8601 TEXT (or
/// INTEGER milliseconds), bytes BLOB; no SQLite-only constructs in the queries.
public final class SQLiteHubStorage: HubStorage {
  let pool: DatabasePool
  /// The audit chain's HMAC key, installed by the `HubService` that uses this storage.
  let auditKey = Mutex<SymmetricKey?>(nil)

  /// Opens (and migrates) the database at `path`.
  public init(path: String) throws {
    var configuration = Configuration()
    configuration.label = "chalkline.hub"
    configuration.busyMode = .timeout(10)
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    do {
      pool = try DatabasePool(path: path, configuration: configuration)
      try Self.migrator.migrate(pool)
    } catch {
      throw HubError(.storage, "The hub database \(path) cannot be opened or migrated.", cause: error)
    }
  }

  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE device (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, certificate_sha256 TEXT NOT NULL UNIQUE,
            signing_key BLOB NOT NULL, registered_at INTEGER NOT NULL);
          CREATE TABLE candidate (
            id TEXT PRIMARY KEY, device_id TEXT NOT NULL REFERENCES device(id), rule TEXT NOT NULL,
            zone TEXT NOT NULL, decided_at TEXT NOT NULL, manifest BLOB NOT NULL, signature BLOB NOT NULL,
            manifest_sha256 TEXT NOT NULL,
            first_time TEXT NOT NULL, first_latitude REAL NOT NULL, first_longitude REAL NOT NULL,
            first_uncertainty_m REAL NOT NULL,
            last_time TEXT NOT NULL, last_latitude REAL NOT NULL, last_longitude REAL NOT NULL,
            last_uncertainty_m REAL NOT NULL,
            elapsed_s REAL, distance_m REAL, read_confidence REAL,
            received_at INTEGER NOT NULL, review_state TEXT NOT NULL DEFAULT 'pending');
          CREATE INDEX candidate_review ON candidate (review_state, received_at);
          CREATE TABLE evidence (
            candidate_id TEXT NOT NULL REFERENCES candidate(id), position INTEGER NOT NULL, id TEXT NOT NULL,
            captured_at TEXT NOT NULL, plate_sha256 BLOB NOT NULL, vehicle_sha256 BLOB NOT NULL,
            encapsulated_key BLOB NOT NULL, ciphertext BLOB NOT NULL, PRIMARY KEY (candidate_id, position));
          CREATE TABLE aggregate (
            device_id TEXT NOT NULL, hour TEXT NOT NULL, area_kind TEXT NOT NULL, area TEXT NOT NULL,
            reads INTEGER NOT NULL, chalk_marks INTEGER NOT NULL, candidates INTEGER NOT NULL,
            received_at INTEGER NOT NULL, PRIMARY KEY (device_id, hour, area_kind, area));
          CREATE TABLE document (
            kind TEXT NOT NULL, version INTEGER NOT NULL, issued_at TEXT NOT NULL, body BLOB NOT NULL,
            signature BLOB NOT NULL, PRIMARY KEY (kind, version));
          CREATE TABLE access_audit (
            sequence INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, purpose TEXT NOT NULL,
            action TEXT NOT NULL, detail TEXT NOT NULL, outcome TEXT NOT NULL, previous_hash TEXT NOT NULL,
            hash TEXT NOT NULL);
          """)
    }
    migrator.registerMigration("v2-review") { db in
      // The officer's decision per candidate (`candidate.review_state` mirrors `outcome`), and the
      // retention marks. `corrected_text` is the officer's plate text sealed to the hub's HPKE key
      // (never stored in clear); `evidence_deleted_at` marks a candidate whose evidence retention
      // removed, leaving its plate-free row for the annual report.
      try db.execute(
        sql: """
          CREATE TABLE review_decision (
            candidate_id TEXT PRIMARY KEY REFERENCES candidate(id),
            outcome TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', note TEXT NOT NULL DEFAULT '',
            corrected_text BLOB, reviewer TEXT NOT NULL, decided_at INTEGER NOT NULL,
            exported_at INTEGER, citation_closed_at INTEGER);
          CREATE INDEX review_decision_outcome ON review_decision (outcome, decided_at);
          ALTER TABLE candidate ADD COLUMN evidence_deleted_at INTEGER;
          """)
    }
    migrator.registerMigration("v3-queue-index") { db in
      // The review queue pages by (received_at, id): with the id in the index the page's ids are
      // read from the index alone, without a sort, however deep the page.
      try db.execute(
        sql: "CREATE INDEX candidate_review_queue ON candidate (review_state, received_at, id)")
    }
    migrator.registerMigration("v4-trust") { db in
      // The keyed audit chain (`scheme`, entries before it stay `v1`), its signed checkpoints,
      // the audit heads vehicles send with their syncs, and the reviewers the hub last saw in its
      // configuration (to audit additions, removals and password changes). Devices get
      // `revoked_at`: a revoked or re-keyed record stays for its candidates' history, and only an
      // active record holds its certificate (a partial unique index, as PostgreSQL has too).
      try db.execute(
        sql: """
          ALTER TABLE access_audit ADD COLUMN scheme TEXT NOT NULL DEFAULT 'v1';
          CREATE TABLE audit_checkpoint (
            sequence INTEGER NOT NULL, head TEXT NOT NULL, at TEXT NOT NULL, reason TEXT NOT NULL,
            signature TEXT NOT NULL, PRIMARY KEY (at, sequence));
          CREATE TABLE device_audit_head (
            device_id TEXT NOT NULL REFERENCES device(id), sequence INTEGER NOT NULL, hash TEXT NOT NULL,
            received_at INTEGER NOT NULL, PRIMARY KEY (device_id, sequence));
          CREATE TABLE reviewer_seen (name TEXT PRIMARY KEY, password_sha256 TEXT NOT NULL);
          CREATE TABLE device_new (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, certificate_sha256 TEXT NOT NULL,
            signing_key BLOB NOT NULL, registered_at INTEGER NOT NULL, revoked_at INTEGER);
          INSERT INTO device_new (id, name, certificate_sha256, signing_key, registered_at)
            SELECT id, name, certificate_sha256, signing_key, registered_at FROM device;
          DROP TABLE device;
          ALTER TABLE device_new RENAME TO device;
          CREATE UNIQUE INDEX device_active_certificate ON device (certificate_sha256) WHERE revoked_at IS NULL;
          """)
    }
    migrator.registerMigration("v5-succession") { db in
      // Which record replaced a re-keyed one (`devices add` with a new key), so candidates a
      // vehicle signed with its old key before the re-key still verify; a record revoked by
      // `devices revoke` has none, and its key's candidates stay refused.
      try db.execute(sql: "ALTER TABLE device ADD COLUMN replaced_by TEXT")
    }
    return migrator
  }

  func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    do { return try await pool.write(body) } catch {
      throw HubError(.storage, "The hub database failed while \(what).", cause: error)
    }
  }

  func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    do { return try await pool.read(body) } catch {
      throw HubError(.storage, "The hub database failed while \(what).", cause: error)
    }
  }

  public func addDevice(_ device: DeviceRecord) async throws -> [DeviceRecord] {
    let now = Date().millisecondsSince1970
    return try await write("registering a device") { db in
      // A new key for a vehicle (same name or same certificate) replaces its active record: the
      // old one stays, marked revoked, so its candidates keep their device.
      let replaced = try Row.fetchAll(
        db,
        sql: """
          SELECT * FROM device WHERE revoked_at IS NULL AND id <> ? AND (certificate_sha256 = ? OR name = ?)
          """,
        arguments: [device.id, device.certificateSHA256, device.name]
      ).map(Self.deviceRecord)
      try db.execute(
        sql: """
          UPDATE device SET revoked_at = ?, replaced_by = ?
          WHERE revoked_at IS NULL AND id <> ? AND (certificate_sha256 = ? OR name = ?)
          """,
        arguments: [now, device.id, device.id, device.certificateSHA256, device.name])
      try db.execute(
        sql: """
          INSERT INTO device (id, name, certificate_sha256, signing_key, registered_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (id) DO UPDATE SET name = excluded.name, certificate_sha256 = excluded.certificate_sha256,
            signing_key = excluded.signing_key, revoked_at = NULL, replaced_by = NULL
          """,
        arguments: [
          device.id, device.name, device.certificateSHA256, device.signingKey,
          Int64(device.registeredAt.timeIntervalSince1970 * 1000),
        ])
      return replaced
    }
  }

  public func revokeDevice(name: String, at: Date) async throws -> [DeviceRecord] {
    try await write("revoking a device") { db in
      let active = try Row.fetchAll(
        db, sql: "SELECT * FROM device WHERE revoked_at IS NULL AND (name = ? OR id = ?)", arguments: [name, name]
      ).map(Self.deviceRecord)
      try db.execute(
        sql: "UPDATE device SET revoked_at = ? WHERE revoked_at IS NULL AND (name = ? OR id = ?)",
        arguments: [at.millisecondsSince1970, name, name])
      return active
    }
  }

  public func device(certificateSHA256: String) async throws -> DeviceRecord? {
    try await read("looking up a device") { db in
      try Row.fetchOne(
        db, sql: "SELECT * FROM device WHERE certificate_sha256 = ? AND revoked_at IS NULL",
        arguments: [certificateSHA256]
      ).map(Self.deviceRecord)
    }
  }

  public func predecessors(of id: String) async throws -> [DeviceRecord] {
    try await read("looking up a device's earlier keys") { db in
      var found: [DeviceRecord] = []
      var frontier = [id]
      // A short chain in practice (one record per key rotation); bounded all the same.
      while let next = frontier.popLast(), found.count < 64 {
        let replaced = try Row.fetchAll(db, sql: "SELECT * FROM device WHERE replaced_by = ?", arguments: [next])
          .map(Self.deviceRecord)
        for record in replaced where !found.contains(where: { $0.id == record.id }) && record.id != id {
          found.append(record)
          frontier.append(record.id)
        }
      }
      return found
    }
  }

  public func devices() async throws -> [DeviceRecord] {
    try await read("listing devices") { db in
      try Row.fetchAll(db, sql: "SELECT * FROM device ORDER BY name, registered_at").map(Self.deviceRecord)
    }
  }

  static func deviceRecord(_ row: Row) -> DeviceRecord {
    DeviceRecord(
      id: row["id"], name: row["name"], certificateSHA256: row["certificate_sha256"], signingKey: row["signing_key"],
      registeredAt: Date(timeIntervalSince1970: Double(row["registered_at"] as Int64) / 1000),
      revokedAt: (row["revoked_at"] as Int64?).map { Date(millisecondsSince1970: $0) },
      replacedBy: row["replaced_by"])
  }

  public func ingest(_ candidates: [VerifiedCandidate], receivedAt: Date) async throws -> [UUID: CandidateDisposition] {
    let received = Int64(receivedAt.timeIntervalSince1970 * 1000)
    return try await write("storing candidates") { db in
      var result: [UUID: CandidateDisposition] = [:]
      for candidate in candidates {
        let m = candidate.manifest
        guard let first = m.sightings.first, let last = m.sightings.last else {
          result[candidate.wire.id] = .rejected
          continue
        }
        let digest = candidate.wire.manifest.sha256Hex
        try db.execute(
          sql: """
            INSERT INTO candidate (id, device_id, rule, zone, decided_at, manifest, signature, manifest_sha256,
              first_time, first_latitude, first_longitude, first_uncertainty_m,
              last_time, last_latitude, last_longitude, last_uncertainty_m,
              elapsed_s, distance_m, read_confidence, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO NOTHING
            """,
          arguments: [
            m.id.uuidString, candidate.deviceID, m.rule, m.zone, m.decidedAt, candidate.wire.manifest,
            candidate.wire.signature, digest, first.time, first.latitude, first.longitude, first.uncertaintyM,
            last.time, last.latitude, last.longitude, last.uncertaintyM, m.elapsedSeconds, m.distanceMeters,
            m.readConfidence, received,
          ])
        guard db.changesCount == 1 else {
          let held = try String.fetchOne(
            db, sql: "SELECT manifest_sha256 FROM candidate WHERE id = ?", arguments: [m.id.uuidString])
          result[candidate.wire.id] = held == digest ? .duplicate : .rejected
          continue
        }
        for (position, evidence) in candidate.wire.evidence.enumerated() {
          try db.execute(
            sql: """
              INSERT INTO evidence (candidate_id, position, id, captured_at, plate_sha256, vehicle_sha256,
                encapsulated_key, ciphertext) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
              """,
            arguments: [
              m.id.uuidString, position, evidence.id.uuidString, UTCTime.format(evidence.capturedAt),
              evidence.plateSha256, evidence.vehicleSha256, evidence.encapsulatedKey, evidence.ciphertext,
            ])
        }
        result[candidate.wire.id] = .stored
      }
      return result
    }
  }

  public func candidates(reviewState: String?, limit: Int) async throws -> [StoredCandidate] {
    try await read("reading candidates") { db in
      let rows =
        if let reviewState {
          try Row.fetchAll(
            db, sql: "SELECT * FROM candidate WHERE review_state = ? ORDER BY received_at, id LIMIT ?",
            arguments: [reviewState, limit])
        } else {
          try Row.fetchAll(db, sql: "SELECT * FROM candidate ORDER BY received_at, id LIMIT ?", arguments: [limit])
        }
      return try rows.map { try Self.storedCandidate($0, db) }
    }
  }

  public func candidateCount() async throws -> Int {
    try await read("counting candidates") { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM candidate") ?? 0 }
  }

  public func storeAggregates(_ aggregates: [WireAggregate], device: String, receivedAt: Date) async throws {
    let received = Int64(receivedAt.timeIntervalSince1970 * 1000)
    try await write("storing aggregates") { db in
      for a in aggregates {
        try db.execute(
          sql: """
            INSERT INTO aggregate (device_id, hour, area_kind, area, reads, chalk_marks, candidates, received_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (device_id, hour, area_kind, area) DO UPDATE SET reads = excluded.reads,
              chalk_marks = excluded.chalk_marks, candidates = excluded.candidates, received_at = excluded.received_at
            """,
          arguments: [
            device, UTCTime.format(a.hour), a.areaKind, a.area, a.reads, a.chalkMarks, a.candidates, received,
          ])
      }
    }
  }

  public func latestDocument(_ kind: DistributionKind) async throws -> SignedDocument? {
    try await read("reading a document") { db in
      try Row.fetchOne(
        db, sql: "SELECT * FROM document WHERE kind = ? ORDER BY version DESC LIMIT 1", arguments: [kind.rawValue]
      ).map { row in
        SignedDocument(
          kind: kind, version: row["version"], issuedAt: UTCTime.parse(row["issued_at"] as String) ?? Date(),
          body: row["body"], signature: row["signature"])
      }
    }
  }

  public func saveDocument(_ document: SignedDocument) async throws {
    try await write("saving a document") { db in
      try db.execute(
        sql: "INSERT INTO document (kind, version, issued_at, body, signature) VALUES (?, ?, ?, ?, ?)",
        arguments: [
          document.kind.rawValue, document.version, UTCTime.format(document.issuedAt), document.body,
          document.signature,
        ])
    }
  }
}

extension Data {
  var sha256Hex: String { Data(SHA256.hash(data: self)).hexString }
}
