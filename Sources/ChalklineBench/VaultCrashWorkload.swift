// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Logging
import Vault
import Wire

#if canImport(Glibc)
  import Glibc
#endif

/// The writer side of the crash harness: a process that writes to the vault as fast as it can
/// until it is killed, and appends to a journal, after each commit, what was committed
/// (`mark ID EXPIRES_MS WINDOW`, `cand ID`, `audit SEQ`), and before each deletion what it is about to
/// delete (`ackintent ID`, `retention NOW_MS`, `shred WINDOW`: a window closed by name, as the
/// agent closes one the ledger no longer needs, before its expiry). It also rotates the storage key now and then.
/// With a `focus` it repeats one operation instead (see ``VaultCrashFocus``). The harness compares the journal
/// with the vault.
public enum VaultCrashWorkload {
  /// Runs until killed (or `operations` operations when given).
  public static func run(
    stateDirectory: URL, journal: URL, seed: UInt64, focus: VaultCrashFocus? = nil, operations: Int? = nil,
    logger: Logger
  ) throws {
    let vault = try Vault(stateDirectory: stateDirectory, configuration: VaultConfiguration(), logger: logger)
    let sealer = try EvidenceSealer(keyring: vault.keyring)
    let out = try Journal(path: journal.path)
    out.line("start")
    if let focus {
      try runFocused(focus, vault: vault, sealer: sealer, journal: out, seed: seed, rounds: operations)
      return
    }
    var random = SeededGenerator(seed: seed)
    var marks: [(id: UUID, evidence: UUID)] = []
    var count = 0
    while operations.map({ count < $0 }) ?? true {
      count += 1
      let roll = Int.random(in: 0..<100, using: &random)
      let now = Date()
      // Windows of two seconds that expire three seconds after they end, so retention runs delete
      // marks during the test.
      let epoch = Int64(now.timeIntervalSince1970 / 2)
      let window = try ChalkWindow(id: "w\(epoch)", expiresAt: Date(timeIntervalSince1970: Double(epoch * 2 + 5)))
      switch roll {
      case 0..<55:
        marks += try storeMarks(Int.random(in: 1...4, using: &random), in: window, vault, sealer, out, &random)
      case 55..<70:
        let first: SealedEvidence? = marks.isEmpty ? try sealer.seal(smallCapture(now, &random)) : nil
        let firstID = first?.id ?? marks[Int.random(in: 0..<marks.count, using: &random)].evidence
        let (candidate, sealed) = try candidate(first: firstID, now: now, sealer, &random)
        do {
          try vault.enqueueCandidate(candidate, sealed: sealed + (first.map { [$0] } ?? []))
          out.line("cand \(candidate.id)")
        } catch let error as VaultError where error.code == .evidenceMissing {
          marks.removeAll()  // the chalk marks expired meanwhile
        }
      case 70..<80:
        let entry = try vault.audit(actor: "crash-writer", action: "test.write", purpose: "crash harness")
        out.line("audit \(entry.sequence)")
      case 80..<90:
        if let pending = try vault.pendingCandidates(limit: 3).randomElement(using: &random) {
          out.line("ackintent \(pending.id)")
          try vault.acknowledge([pending.id])
        }
      case 90..<95:
        if let mark = marks.randomElement(using: &random) { try vault.updateLastSeen(of: mark.id, to: now) }
        try vault.addToAggregate(hour: now, area: .zone("zone-1"), reads: 3, chalkMarks: 1)
      case 95..<97:
        // Shredding by name: the previous window's key, marks and rows, in one transaction.
        let previous = "w\(epoch - 1)"
        out.line("shred \(previous)")
        try vault.applyRetention(now: Date(timeIntervalSince1970: 0), closing: [previous])
      case 99:
        // Crashes inside a storage key rotation must leave every row readable.
        try vault.rotateStorageKey(actor: "crash-writer", purpose: "crash harness")
      default:
        out.line("retention \(now.millisecondsSince1970)")
        try vault.applyRetention(now: now)
        marks.removeAll { _ in Bool.random(using: &random) }
      }
    }
  }

  /// Stores `count` chalk marks in `window` with evidence of random sizes, journaled; returns the
  /// stored marks' ids with their evidence ids.
  static func storeMarks(
    _ count: Int, in window: ChalkWindow, _ vault: Vault, _ sealer: EvidenceSealer, _ out: Journal,
    _ random: inout SeededGenerator
  ) throws -> [(id: UUID, evidence: UUID)] {
    let now = Date()
    let hasher = try vault.plateHasher(for: window)
    let batch = try (0..<count).map { _ in
      let capture = EvidenceCapture(
        plateJPEG: Data(
          (0..<Int.random(in: 200...800, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }),
        vehicleJPEG: Data(
          repeating: UInt8.random(in: 0...255, using: &random), count: Int.random(in: 500...1500, using: &random)),
        plateAlternatives: ["CRASH\(Int.random(in: 0..<1000, using: &random))"], capturedAt: now)
      let sealed = try sealer.seal(capture)
      let mark = ChalkMark(
        window: KeyWindowID(window.id), hashes: hasher.hashes(capture.plateAlternatives), zone: ZoneID("zone-1"),
        policy: PolicyID("policy-1"), kind: .timed,
        position: CurbPosition(latitude: 37.33, longitude: -121.89, uncertainty: 3), firstSeen: now,
        lastSeen: now, evidence: sealed.id)
      return NewChalkMark(mark: mark, evidence: sealed)
    }
    var stored: [(id: UUID, evidence: UUID)] = []
    for (new, outcome) in zip(batch, try vault.recordChalkMarks(batch)) where outcome == .stored {
      out.line("mark \(new.mark.id) \(window.expiresAt.millisecondsSince1970) \(window.id)")
      stored.append((new.mark.id, new.evidence.id))
    }
    return stored
  }

  /// A candidate whose first sighting's evidence is `first` and whose second is sealed now
  /// (returned beside it).
  static func candidate(
    first: UUID, now: Date, _ sealer: EvidenceSealer, _ random: inout SeededGenerator
  ) throws -> (Candidate, [SealedEvidence]) {
    let second = try sealer.seal(smallCapture(now, &random))
    let candidate = Candidate(
      rule: .overstay(maxStay: 7200, grace: 0), zone: ZoneID("zone-1"), policy: PolicyID("crash"),
      first: Sighting(
        time: now.addingTimeInterval(-7200),
        position: CurbPosition(latitude: 37.33, longitude: -121.89, uncertainty: 3), alternatives: [],
        evidence: EvidenceID(first)),
      second: Sighting(
        time: now, position: CurbPosition(latitude: 37.33, longitude: -121.89, uncertainty: 4), alternatives: [],
        evidence: EvidenceID(second.id)),
      enforcedElapsed: 7200, distance: 0, confidence: 1)
    return (candidate, [second])
  }

  static func smallCapture(_ now: Date, _ random: inout SeededGenerator) -> EvidenceCapture {
    EvidenceCapture(
      plateJPEG: Data((0..<300).map { _ in UInt8.random(in: 0...255, using: &random) }),
      vehicleJPEG: Data((0..<900).map { _ in UInt8.random(in: 0...255, using: &random) }),
      plateAlternatives: ["CAND\(Int.random(in: 0..<1000, using: &random))"], capturedAt: now)
  }

  /// An append-only journal written with `write(2)`: a line survives the process being killed.
  final class Journal {
    let fd: Int32

    init(path: String) throws {
      fd = try SecureFiles.call("Opening journal \(path)") {
        open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
      }
    }

    deinit { close(fd) }

    func line(_ text: String) {
      let bytes = Array((text + "\n").utf8)
      _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
  }
}
