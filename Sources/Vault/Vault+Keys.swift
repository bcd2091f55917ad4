// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import GRDB
import Logging
import Synchronization
import Wire

extension Vault {
  /// Creates the keyring in a new state directory and opens the vault, recording the operation
  /// in the audit log.
  public static func initialize(
    stateDirectory: URL, configuration: VaultConfiguration = VaultConfiguration(), actor: String, purpose: String,
    logger: Logger
  ) throws -> Vault {
    let keyring = try Keyring.create(in: stateDirectory)
    let vault = try Vault(stateDirectory: stateDirectory, configuration: configuration, logger: logger)
    try vault.audit(
      actor: actor, action: "keys.init", purpose: purpose,
      detail: "device=\(keyFingerprint(keyring.deviceKey.publicKey.rawRepresentation))")
    logger.notice("keyring created", metadata: ["vault.state_dir": "\(stateDirectory.path)"])
    return vault
  }

  /// Stores the upstream's HPKE and signing public keys (raw 32 bytes each).
  public func importUpstreamKeys(hpkePublicKey: Data, signingPublicKey: Data, actor: String, purpose: String) throws {
    let updated = try keyring.importingUpstream(hpkePublicKey: hpkePublicKey, signingPublicKey: signingPublicKey)
    keyringState.withLock { $0 = updated }
    try audit(
      actor: actor, action: "keys.import-upstream", purpose: purpose,
      detail: "hpke=\(keyFingerprint(hpkePublicKey)) signing=\(keyFingerprint(signingPublicKey))")
    logger.notice("upstream keys imported", metadata: ["vault.upstream_hpke": "\(keyFingerprint(hpkePublicKey))"])
  }

  /// Replaces the device signing key. Candidates already queued keep their signatures (by the old
  /// key, kept as `device-retired-N.pub`).
  public func rotateDeviceKey(actor: String, purpose: String) throws {
    let old = keyFingerprint(keyring.deviceKey.publicKey.rawRepresentation)
    let updated = try keyring.rotatingDeviceKey()
    keyringState.withLock { $0 = updated }
    try audit(
      actor: actor, action: "keys.rotate.device", purpose: purpose,
      detail: "old=\(old) new=\(keyFingerprint(updated.deviceKey.publicKey.rawRepresentation))")
  }

  /// Every column sealed with the storage key, with what each row is bound to.
  static let sealedColumns: [(table: String, id: String, column: String, binding: @Sendable (Row) -> Data)] = [
    ("chalk_mark", "id", "payload", { ($0["id"] as UUID).bytes }),
    ("candidate", "id", "payload", { ($0["id"] as UUID).bytes }),
    ("evidence", "id", "header", { ($0["id"] as UUID).bytes }),
    ("window_key", "window_id", "sealed", { WindowKeyStore.binding($0["window_id"]) }),
  ]

  /// Sealed rows that no storage key on disk opens, and evidence rows that neither a chalk mark
  /// nor a candidate holds: what no crash (in a rotation, a retention pass, an acknowledgement)
  /// may leave. One sentence each; empty when sound.
  public func unreadableOrOrphanedRows() throws -> [String] {
    let cipher = self.cipher
    return try read("Checking sealed rows") { db in
      var problems: [String] = []
      for (table, idColumn, column, binding) in Self.sealedColumns {
        for row in try Row.fetchAll(db, sql: "SELECT \(idColumn), \(column) FROM \(table)") {
          do { _ = try cipher.open(row[column], binding: binding(row)) } catch {
            problems.append("\(table) \(row[idColumn] as DatabaseValue): \(column) unreadable (\(error))")
          }
        }
      }
      let orphans =
        try Int.fetchOne(
          db,
          sql: """
            SELECT count(*) FROM evidence e WHERE NOT EXISTS (SELECT 1 FROM chalk_mark WHERE evidence_id = e.id)
              AND NOT EXISTS (SELECT 1 FROM candidate_evidence WHERE evidence_id = e.id)
            """) ?? 0
      if orphans > 0 { problems.append("\(orphans) evidence rows held by no chalk mark and no candidate") }
      return problems
    }
  }

  /// Replaces the storage key: a new key file first, then every encrypted row re-encrypted in one
  /// transaction, then the old key files destroyed. A crash at any point leaves every row readable
  /// (rows name their key); running the rotation again finishes it. Returns the rows re-encrypted.
  @discardableResult
  public func rotateStorageKey(actor: String, purpose: String) throws -> Int {
    let before = keyring
    let updated = try before.addingStorageKey()
    keyringState.withLock { $0 = updated }
    let cipher = StorageCipher(keyring: updated)
    let rows = try write("Re-encrypting rows with the new storage key") { db -> Int in
      var count = 0
      for (table, idColumn, column, binding) in Self.sealedColumns {
        let rows = try Row.fetchAll(db, sql: "SELECT \(idColumn), \(column) FROM \(table)")
        for row in rows {
          let sealed: Data = row[column]
          guard cipher.keyID(of: sealed) != cipher.currentID else { continue }
          let plain = try cipher.open(sealed, binding: binding(row))
          try db.execute(
            sql: "UPDATE \(table) SET \(column) = ? WHERE \(idColumn) = ?",
            arguments: [try cipher.seal(plain, binding: binding(row)), row[idColumn] as DatabaseValue])
          count += 1
        }
      }
      try Self.appendAudit(
        actor: actor, action: "keys.rotate.storage", purpose: purpose,
        detail: "key=\(updated.currentStorageKeyID) rows=\(count)", at: Date(), db)
      return count
    }
    // Old keys are destroyed only once no committed row needs them.
    let retired = try updated.retiringOldStorageKeys()
    keyringState.withLock { $0 = retired }
    try checkpoint()
    logger.notice(
      "storage key rotated", metadata: ["vault.rows": "\(rows)", "vault.key_id": "\(retired.currentStorageKeyID)"])
    return rows
  }
}
