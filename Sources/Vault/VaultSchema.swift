// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB
import Wire

/// The vault's tables, created by numbered migrations. Times are milliseconds since 1970 UTC.
/// Nothing here holds plate text: chalk marks and candidates are encrypted with the storage key,
/// evidence is sealed to the upstream, hashes are keyed per window.
///
/// v2 (`docs/forgetting.md`): no plate hash and no capture time outside encryption. The
/// `chalk_hash` index is gone (the ledger matches in memory; a window's marks are found by
/// `window_id`), evidence keeps its capture time and picture digests in a sealed `header`, and
/// each window's HMAC key is a row of `window_key`, sealed with the storage key, deleted by the
/// same transaction (`ON DELETE CASCADE`) that deletes the window's row and marks.
enum VaultSchema {
  static func migrator(cipher: StorageCipher) -> DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE chalk_window (
            id TEXT PRIMARY KEY NOT NULL,
            created_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL
          );
          CREATE INDEX chalk_window_expiry ON chalk_window(expires_at);

          CREATE TABLE evidence (
            id BLOB PRIMARY KEY NOT NULL,
            captured_at INTEGER NOT NULL,
            plate_sha256 BLOB NOT NULL,
            vehicle_sha256 BLOB NOT NULL,
            encapsulated_key BLOB NOT NULL,
            ciphertext BLOB NOT NULL
          );

          CREATE TABLE chalk_mark (
            id BLOB PRIMARY KEY NOT NULL,
            window_id TEXT NOT NULL REFERENCES chalk_window(id) ON DELETE CASCADE,
            evidence_id BLOB NOT NULL REFERENCES evidence(id),
            payload BLOB NOT NULL
          );
          CREATE INDEX chalk_mark_window ON chalk_mark(window_id);
          CREATE INDEX chalk_mark_evidence ON chalk_mark(evidence_id);

          CREATE TABLE chalk_hash (
            hash BLOB NOT NULL,
            mark_id BLOB NOT NULL REFERENCES chalk_mark(id) ON DELETE CASCADE,
            PRIMARY KEY (hash, mark_id)
          ) WITHOUT ROWID;
          CREATE INDEX chalk_hash_mark ON chalk_hash(mark_id);

          CREATE TABLE candidate (
            id BLOB PRIMARY KEY NOT NULL,
            queued_at INTEGER NOT NULL,
            evidence_count INTEGER NOT NULL,
            payload BLOB NOT NULL
          );
          CREATE INDEX candidate_queued ON candidate(queued_at);

          CREATE TABLE candidate_evidence (
            candidate_id BLOB NOT NULL REFERENCES candidate(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            evidence_id BLOB NOT NULL REFERENCES evidence(id),
            PRIMARY KEY (candidate_id, position)
          ) WITHOUT ROWID;
          CREATE INDEX candidate_evidence_evidence ON candidate_evidence(evidence_id);

          CREATE TABLE aggregate (
            hour INTEGER NOT NULL,
            area TEXT NOT NULL,
            reads INTEGER NOT NULL DEFAULT 0,
            chalk_marks INTEGER NOT NULL DEFAULT 0,
            candidates INTEGER NOT NULL DEFAULT 0,
            synced INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (hour, area)
          ) WITHOUT ROWID;

          CREATE TABLE audit (
            seq INTEGER PRIMARY KEY NOT NULL,
            at INTEGER NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            purpose TEXT NOT NULL,
            detail TEXT NOT NULL,
            prev_hash BLOB NOT NULL,
            hash BLOB NOT NULL
          );

          CREATE TABLE counter (
            name TEXT PRIMARY KEY NOT NULL,
            value INTEGER NOT NULL
          ) WITHOUT ROWID;
          INSERT INTO counter (name, value) VALUES ('chalk_marks_refused', 0);
          """)
    }
    migrator.registerMigration("v2-no-plaintext-linkage") { db in
      try db.execute(
        sql: """
          DROP TABLE chalk_hash;
          CREATE TABLE window_key (
            window_id TEXT PRIMARY KEY NOT NULL REFERENCES chalk_window(id) ON DELETE CASCADE,
            sealed BLOB NOT NULL
          ) WITHOUT ROWID;
          CREATE TABLE evidence_v2 (
            id BLOB PRIMARY KEY NOT NULL,
            header BLOB NOT NULL,
            encapsulated_key BLOB NOT NULL,
            ciphertext BLOB NOT NULL
          );
          INSERT INTO counter (name, value) VALUES ('vault_delete_failures', 0);
          """)
      // Existing evidence: its time and digests move into the sealed header (SQLite's table
      // rebuild; GRDB runs migrations with foreign keys deferred and checks them at the end).
      let rows = try Row.fetchAll(
        db, sql: "SELECT id, captured_at, plate_sha256, vehicle_sha256, encapsulated_key, ciphertext FROM evidence")
      for row in rows {
        let id: UUID = row["id"]
        let header = try cipher.seal(
          EvidenceHeader.encode(
            capturedAtMS: row["captured_at"], plateSHA256: row["plate_sha256"], vehicleSHA256: row["vehicle_sha256"],
            bindings: []),
          binding: id.bytes)
        try db.execute(
          sql: "INSERT INTO evidence_v2 (id, header, encapsulated_key, ciphertext) VALUES (?, ?, ?, ?)",
          arguments: [id, header, row["encapsulated_key"], row["ciphertext"]])
      }
      try db.execute(
        sql: """
          DROP TABLE evidence;
          ALTER TABLE evidence_v2 RENAME TO evidence;
          UPDATE chalk_window SET created_at = created_at - created_at % 3600000;
          """)
    }
    return migrator
  }
}
