// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import GRDB
import Testing
import Wire

@testable import Vault

/// Crypto-shredding as an attacker meets it (docs/forgetting.md): the key of a closed window is
/// nowhere in a copy of the state directory, and nothing on disk links one car's sightings.
@Suite struct ForgettingTests {
  /// A plate seen on the first day, in a window that then closes.
  static let seenPlate = "7ABC123"

  /// Whether an attacker holding a copy of the whole state directory (storage key, device key,
  /// database, WAL, every file) can confirm that `plate` was seen in `windowID`: by finding the
  /// plate's hash under that window's key (which the test knows, as an oracle) or the key itself
  /// anywhere in the raw files or in anything the storage key decrypts, or by hashing the plate
  /// under any window key the copy still holds and finding a mark that carries that hash.
  static func attackerConfirms(
    plate: String, windowID: String, trueHash: PlateHash, trueKey: Data, copy: URL
  ) throws -> [String] {
    var findings: [String] = []
    let needles = [("the plate's hash", trueHash.bytes), ("the window key", trueKey)]
    for case let file as URL in FileManager.default.enumerator(at: copy, includingPropertiesForKeys: nil)! {
      guard let bytes = try? Data(contentsOf: file) else { continue }
      for (what, needle) in needles where bytes.range(of: needle) != nil {
        findings.append("\(what) in the raw bytes of \(file.lastPathComponent)")
      }
    }
    let vault = try Vault(stateDirectory: copy, logger: testLogger)
    defer { try? vault.close() }
    let cipher = StorageCipher(keyring: vault.keyring)
    try vault.read("attack") { db in
      var plaintexts: [(String, Data)] = []
      for row in try Row.fetchAll(db, sql: "SELECT id, payload FROM chalk_mark") {
        plaintexts.append(("a chalk mark", try cipher.open(row["payload"], binding: (row["id"] as UUID).bytes)))
      }
      for row in try Row.fetchAll(db, sql: "SELECT id, payload FROM candidate") {
        plaintexts.append(("a candidate", try cipher.open(row["payload"], binding: (row["id"] as UUID).bytes)))
      }
      for row in try Row.fetchAll(db, sql: "SELECT id, header FROM evidence") {
        plaintexts.append(("an evidence header", try cipher.open(row["header"], binding: (row["id"] as UUID).bytes)))
      }
      var keys: [(String, SymmetricKey)] = []
      for row in try Row.fetchAll(db, sql: "SELECT window_id, sealed FROM window_key") {
        let id: String = row["window_id"]
        let key = try WindowKeyStore.open(row["sealed"], window: id, cipher)
        plaintexts.append(("a window key row", key.bytes))
        keys.append((id, key))
      }
      for (what, plain) in plaintexts {
        for (needle, bytes) in needles where plain.range(of: bytes) != nil { findings.append("\(needle) in \(what)") }
      }
      let marks = try Row.fetchAll(db, sql: "SELECT id, window_id, evidence_id, payload FROM chalk_mark").map {
        try #require(try Vault.decodeMark($0, cipher), "every mark row reads back")
      }
      for (id, key) in keys {
        let hash = PlateHasher(window: try ChalkWindow(id: id, expiresAt: Date()), key: key).hash(plate)
        for mark in marks where mark.plateHashes.contains(hash) {
          findings.append("a mark of \(mark.window!.rawValue) matches the plate hashed under the key of \(id)")
        }
      }
    }
    return findings
  }

  @Test("a copy of the state directory made after the window closed does not confirm a plate seen in it")
  func anAttackerWithTheDiskAfterTheWindowClosedConfirmsNothing() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let now = Date()
      let monday = try window("chalk-2026-03-02", expiresIn: 86400, from: now)
      let wednesday = try window("chalk-2026-03-04", expiresIn: 3 * 86400, from: now)
      let hasher = try test.vault.plateHasher(for: monday)
      let trueHash = hasher.hash(Self.seenPlate)
      let trueKey = hasher.key.bytes
      let (mark, _) = try test.mark([Self.seenPlate, "7A8C123"], window: monday, imageBytes: 3000)
      for i in 0..<30 { try test.mark(["5MON\(100 + i)"], window: monday, imageBytes: 1500) }
      for i in 0..<10 { try test.mark(["6WED\(100 + i)"], window: wednesday, imageBytes: 1500) }
      // An overstay of the plate, unsynced: it stays in the outbox, sealed to the upstream.
      let second = try test.seal([Self.seenPlate])
      try test.vault.enqueueCandidate(mark.candidate(second: second, at: now), sealed: [second])

      // The same attack on a copy made while the window was open succeeds: the test can fail.
      let before = directory.appendingPathComponent("copy-before")
      try FileManager.default.copyItem(at: test.state, to: before)
      try FileManager.default.removeItem(at: before.appendingPathComponent("vault.lock"))
      let open = try Self.attackerConfirms(
        plate: Self.seenPlate, windowID: monday.id, trueHash: trueHash, trueKey: trueKey, copy: before)
      #expect(!open.isEmpty)

      let report = try test.vault.applyRetention(now: now, closing: [monday.id])
      #expect(report.windowsClosed == [monday.id] && report.chalkMarksDeleted == 31)
      #expect(report.checkpointed)
      let after = directory.appendingPathComponent("copy-after")
      try FileManager.default.copyItem(at: test.state, to: after)
      try FileManager.default.removeItem(at: after.appendingPathComponent("vault.lock"))
      let closed = try Self.attackerConfirms(
        plate: Self.seenPlate, windowID: monday.id, trueHash: trueHash, trueKey: trueKey, copy: after)
      #expect(closed.isEmpty, "\(closed)")
      #expect(try test.vault.pendingCandidateCount() == 1)
      #expect(try test.vault.chalkWindows().map(\.id) == [wednesday.id])
    }
  }

  @Test("no plate hash and no capture time outside encryption: the schema and the raw file")
  func nothingLinksSightingsWithoutAKey() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let now = Date(timeIntervalSince1970: 1_772_470_800.123)  // 2026-03-02T17:00:00.123Z
      let w = try window("chalk-2026-03-02", expiresIn: 86400, from: now)
      var hashes: [PlateHash] = []
      for zone in ["zone-1", "zone-2", "zone-3"] {
        let (mark, _) = try test.mark(["4LNK444"], window: w, zone: zone, at: now)
        hashes += mark.plateHashes
      }
      try test.vault.checkpoint()
      let columns = try test.vault.read("schema") { db in
        try String.fetchAll(
          db,
          sql: "SELECT m.name || '.' || p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table'"
        )
      }
      #expect(!columns.contains { $0.hasPrefix("chalk_hash.") || $0.hasSuffix(".captured_at") }, "\(columns)")
      #expect(!columns.contains { $0.hasSuffix("sha256") }, "\(columns)")
      let raw = try Data(contentsOf: test.state.appendingPathComponent(Vault.databaseName))
      for hash in Set(hashes) { #expect(raw.range(of: hash.bytes) == nil, "a plate hash in the clear") }
      var millis = now.millisecondsSince1970.bigEndian
      let timeBytes = withUnsafeBytes(of: &millis) { Data($0) }
      #expect(raw.range(of: timeBytes) == nil, "a capture time in the clear")
      // The lookup still works, by decrypting the window's marks.
      let hasher = try test.vault.plateHasher(for: w)
      #expect(try test.vault.chalkMarks(matching: [hasher.hash("4LNK444")], in: w.id).count == 3)
    }
  }

  @Test("a vault of the first schema migrates: evidence reads back, the hash index and the key files are gone")
  func aVaultOfTheFirstSchemaMigrates() throws {
    try withTemporaryDirectory { directory in
      let state = directory.appendingPathComponent("state")
      let keyring = try Keyring.create(in: state)
      let path = state.appendingPathComponent(Vault.databaseName).path
      let evidenceID = UUID()
      let markID = UUID()
      let key = SymmetricKey(size: .bits256)
      do {
        // The v1 layout, as an agent before this change left it.
        let queue = try DatabaseQueue(path: path)
        try VaultSchema.migrator(cipher: StorageCipher(keyring: keyring)).migrate(queue, upTo: "v1")
        try queue.write { db in
          try db.execute(
            sql: "INSERT INTO chalk_window (id, created_at, expires_at) VALUES ('chalk-2026-03-02', 1772470812345, ?)",
            arguments: [Date().addingTimeInterval(86400).millisecondsSince1970])
          try db.execute(
            sql: """
              INSERT INTO evidence (id, captured_at, plate_sha256, vehicle_sha256, encapsulated_key, ciphertext)
              VALUES (?, 1772470812345, ?, ?, ?, ?)
              """,
            arguments: [
              evidenceID, Data(repeating: 1, count: 32), Data(repeating: 2, count: 32), Data(count: 32),
              Data(count: 64),
            ])
          let mark = ChalkMark(
            id: markID, window: KeyWindowID("chalk-2026-03-02"),
            hashes: [PlateHash(bytes: Data(repeating: 9, count: 32))], zone: ZoneID("z"), policy: PolicyID("p"),
            kind: .timed, position: CurbPosition(latitude: 37.3, longitude: -121.9, uncertainty: 2),
            firstSeen: Date(), lastSeen: Date(), evidence: evidenceID)
          let payload = try StorageCipher(keyring: keyring).seal(ChalkMarkPayload.encode(mark), binding: markID.bytes)
          try db.execute(
            sql: "INSERT INTO chalk_mark (id, window_id, evidence_id, payload) VALUES (?, 'chalk-2026-03-02', ?, ?)",
            arguments: [markID, evidenceID, payload])
          try db.execute(
            sql: "INSERT INTO chalk_hash (hash, mark_id) VALUES (?, ?)",
            arguments: [Data(repeating: 9, count: 32), markID])
        }
        try queue.close()
      }
      chmod(path, 0o600)
      try KeyFile.write(
        .window, key.bytes, to: keyring.directory.appendingPathComponent("window-chalk-2026-03-02.key").path)
      let vault = try Vault(stateDirectory: state, logger: testLogger)
      #expect(try vault.integrityCheck() == ["ok"])
      #expect(try SecureFiles.list(keyring.directory.path).filter { $0.hasPrefix("window-") }.isEmpty)
      let sealed = try vault.read("evidence") { db in try Vault.fetchEvidence(evidenceID, vault.cipher, db) }
      #expect(sealed?.capturedAt.millisecondsSince1970 == 1_772_470_812_345)
      #expect(sealed?.plateSHA256 == Data(repeating: 1, count: 32))
      #expect(try vault.chalkMark(id: markID)?.evidenceID == evidenceID)
      let windows = try vault.chalkWindows()
      #expect(windows.map(\.id) == ["chalk-2026-03-02"] && windows.first?.marks == 1)
      #expect(windows.first?.opened.millisecondsSince1970 == 1_772_470_800_000)  // kept to the hour
      let hasher = try vault.plateHasher(for: try window("chalk-2026-03-02", expiresIn: 60))
      #expect(hasher.key.bytes == key.bytes)
    }
  }
}
