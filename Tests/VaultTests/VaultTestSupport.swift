// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineBench
import ChalklineModel
import Crypto
import Foundation
import GRDB
import Logging
import Vault
import Wire

/// Runs `body` with a fresh private directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) throws -> T) throws -> T {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("vault-test-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  chmod(url.path, 0o700)
  defer { try? FileManager.default.removeItem(at: url) }
  return try body(url)
}

/// A vault in `directory/state` with an imported upstream key, and the upstream's private keys.
struct TestVault {
  let vault: Vault
  let state: URL
  let upstream: Curve25519.KeyAgreement.PrivateKey
  let upstreamSigning: Curve25519.Signing.PrivateKey
  let sealer: EvidenceSealer

  init(in directory: URL, configuration: VaultConfiguration = VaultConfiguration(), logger: Logger = testLogger) throws
  {
    state = directory.appendingPathComponent("state")
    vault = try Vault.initialize(
      stateDirectory: state, configuration: configuration, actor: "test", purpose: "test", logger: logger)
    upstream = Curve25519.KeyAgreement.PrivateKey()
    upstreamSigning = Curve25519.Signing.PrivateKey()
    try vault.importUpstreamKeys(
      hpkePublicKey: upstream.publicKey.rawRepresentation,
      signingPublicKey: upstreamSigning.publicKey.rawRepresentation,
      actor: "test", purpose: "test")
    sealer = try EvidenceSealer(keyring: vault.keyring)
  }

  /// Seals a capture with recognizable image bytes.
  func seal(_ plates: [String], at time: Date = Date(), imageBytes: Int = 2000) throws -> SealedEvidence {
    try sealer.seal(capture(plates, at: time, imageBytes: imageBytes))
  }

  /// Stores a chalk mark for `plates` in `window`, with evidence.
  @discardableResult
  func mark(
    _ plates: [String], window: ChalkWindow, zone: String = "zone-7", at time: Date = Date(), imageBytes: Int = 2000
  ) throws -> (ChalkMark, ChalkMarkOutcome) {
    let hasher = try vault.plateHasher(for: window)
    let evidence = try seal(plates, at: time, imageBytes: imageBytes)
    let mark = ChalkMark(
      window: KeyWindowID(window.id), hashes: hasher.hashes(plates), zone: ZoneID(zone), policy: PolicyID("policy-7"),
      kind: .timed, position: CurbPosition(latitude: 37.3352, longitude: -121.8811, uncertainty: 3.5), firstSeen: time,
      lastSeen: time, evidence: evidence.id)
    return (mark, try vault.recordChalkMark(mark, evidence: evidence))
  }
}

extension ChalkMark {
  /// The ledger's candidate of this mark: its first sighting, then one at `time` whose evidence is
  /// `second` (sealed now, handed to `enqueueCandidate` beside it), or the mark's own when nil (a
  /// permit candidate seen once).
  func candidate(
    id: UUID = UUID(), second: SealedEvidence? = nil, at time: Date = Date(),
    rule: Candidate.Rule = .overstay(maxStay: 7200, grace: 0)
  ) -> Candidate {
    var seen = first
    seen.time = time
    if let second { seen.evidence = EvidenceID(second.id) }
    return Candidate(
      id: id, rule: rule, zone: zone, policy: policy, first: first, second: seen,
      enforcedElapsed: time.timeIntervalSince(first.time), distance: 0, confidence: 0.9)
  }

  /// Where the car was chalked (every mark the vault stores has a position).
  var position: CurbPosition { first.position! }
}

func capture(_ plates: [String], at time: Date = Date(), imageBytes: Int = 2000) -> EvidenceCapture {
  var random = SeededGenerator(seed: UInt64(truncatingIfNeeded: plates.joined().hashValue))
  return EvidenceCapture(
    plateJPEG: Data([0xFF, 0xD8] + (0..<imageBytes).map { _ in UInt8.random(in: 0...255, using: &random) }),
    vehicleJPEG: Data([0xFF, 0xD8] + (0..<imageBytes * 2).map { _ in UInt8.random(in: 0...255, using: &random) }),
    plateAlternatives: plates, capturedAt: time)
}

let testLogger: Logger = {
  var logger = Logger(label: "vault.test")
  logger.logLevel = .critical
  return logger
}()

func window(_ id: String, expiresIn seconds: TimeInterval = 7200, from now: Date = Date()) throws -> ChalkWindow {
  try ChalkWindow(id: id, expiresAt: now.addingTimeInterval(seconds))
}

/// Mode bits of a file.
func mode(_ path: String) -> mode_t {
  var info = stat()
  return stat(path, &info) == 0 ? info.st_mode & 0o777 : 0
}

/// The vault's files in `state` (the database, its WAL, its shared memory) whose raw bytes hold
/// `needle`: where an attacker with a copy of the disk would find it.
func vaultFiles(in state: URL, holding needle: Data) throws -> [String] {
  try FileManager.default.contentsOfDirectory(atPath: state.path).filter { $0.hasPrefix(Vault.databaseName) }.sorted()
    .filter { name in try Data(contentsOf: state.appendingPathComponent(name)).range(of: needle) != nil }
}

/// Bytes in the vault's WAL (0 when there is none).
func walBytes(in state: URL) -> Int64 {
  FileStatus(path: state.appendingPathComponent(Vault.databaseName + "-wal").path)?.size ?? 0
}

/// A second connection to the vault's database, as a `sqlite3` shell or a Python script beside
/// the agent would open it: ``hold()`` begins a read transaction that pins the WAL (no truncating
/// checkpoint can finish) until ``release()``.
struct WALReader {
  let queue: DatabaseQueue

  func hold() throws {
    try queue.inDatabase { db in
      try db.beginTransaction(.deferred)
      _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM chalk_window")
    }
  }

  func release() throws { try queue.inDatabase { db in try db.commit() } }
}

/// Runs `body` with a ``WALReader`` on the vault in `state`, closed afterwards.
func withWALReader<T>(on state: URL, _ body: (WALReader) throws -> T) throws -> T {
  var configuration = Configuration()
  configuration.readonly = true
  // The reader leaves its transaction open between calls on purpose.
  configuration.allowsUnsafeTransactions = true
  let queue = try DatabaseQueue(
    path: state.appendingPathComponent(Vault.databaseName).path, configuration: configuration)
  defer { try? queue.close() }
  return try body(WALReader(queue: queue))
}
