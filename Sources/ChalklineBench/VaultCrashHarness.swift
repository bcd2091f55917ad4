// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Logging
import Vault

#if canImport(Glibc)
  import Glibc
#endif

/// Kills a writer process (`vault-crash-writer`, running `VaultCrashWorkload`) with SIGKILL at
/// random instants, reopens the vault after each kill and checks its invariants:
/// `integrity_check` clean, no journaled (committed) write lost, no half-written candidate
/// visible (every queued candidate has all its evidence and a valid signature), the audit chain
/// intact, and every chalk window with its key and its marks together or none of them.
public struct VaultCrashHarness: Sendable {
  /// What a run found.
  public struct Report: Sendable {
    /// Kills performed.
    public var kills = 0
    /// Kills that landed after the writer had opened the vault (the rest hit start-up).
    public var killsWhileWriting = 0
    /// In a focused run, kills that landed inside the focused operation (after its `begin`,
    /// before its `end`).
    public var killsInsideFocus = 0
    /// Committed writes the journal named and the checks found (or legitimately deleted).
    public var acknowledgedWrites = 0
    /// Problems found, one sentence each (empty when every invariant held).
    public var failures: [String] = []
    /// Wall time of the run, seconds.
    public var seconds = 0.0
  }

  /// The writer executable.
  public let writer: URL
  /// The state directory (created, with keys and a test upstream key, when missing).
  public let stateDirectory: URL
  let logger: Logger

  /// A harness for `writer` over `stateDirectory`.
  public init(writer: URL, stateDirectory: URL, logger: Logger) {
    self.writer = writer
    self.stateDirectory = stateDirectory
    self.logger = logger
  }

  /// Runs `kills` kill-and-check cycles with delays drawn from `seed`; with a `focus`, the writer
  /// repeats that operation and each kill lands within a few milliseconds after one began. An
  /// operation that finishes in well under a millisecond on an idle machine (a retention pass
  /// with little to close) is often over before the kill: a focused run goes on past `kills`
  /// cycles, up to four times as many, until a third of `kills` have landed inside it.
  public func run(kills: Int, seed: UInt64, focus: VaultCrashFocus? = nil) throws -> Report {
    let start = Date()
    if !FileManager.default.fileExists(atPath: Keyring.keysDirectory(in: stateDirectory).path) {
      let vault = try Vault.initialize(
        stateDirectory: stateDirectory, actor: "crash-harness", purpose: "crash test", logger: logger)
      let upstream = Curve25519.KeyAgreement.PrivateKey()
      try vault.importUpstreamKeys(
        hpkePublicKey: upstream.publicKey.rawRepresentation,
        signingPublicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation, actor: "crash-harness",
        purpose: "crash test")
      try vault.close()
    }
    let journal = stateDirectory.deletingLastPathComponent().appendingPathComponent(
      stateDirectory.lastPathComponent + ".journal")
    var random = SeededGenerator(seed: seed)
    var report = Report()
    // How long after a `begin` a focused kill may wait. Operations run faster or slower with the
    // machine's load, so the bound adapts: it shrinks after a kill that came too late (the
    // operation had ended) and grows back after one that landed inside it.
    let longestDelay: UInt32 = focus == .rotation ? 30_000 : 8_000
    var focusedDelay = longestDelay
    var cycle = 0
    while cycle < kills || (focus != nil && report.killsInsideFocus < kills / 3 && cycle < 4 * kills) {
      defer { cycle += 1 }
      let before = Self.size(journal)
      let process = Process()
      process.executableURL = writer
      var arguments = [stateDirectory.path, journal.path, String(random.next())]
      if let focus { arguments.append(focus.rawValue) }
      process.arguments = arguments
      process.standardOutput = FileHandle.nullDevice
      process.standardError = FileHandle.nullDevice
      try process.run()
      // One kill in ten lands during start-up (open, migrations); the others after the writer
      // started writing, at a random instant up to 150 ms later.
      if let focus {
        // After the writer's first `begin`, within the time such an operation takes.
        let deadline = Date().addingTimeInterval(10)
        while !Self.tail(journal, from: before).contains("begin \(focus.rawValue)") && process.isRunning
          && Date() < deadline
        {
          usleep(100)
        }
        usleep(UInt32.random(in: 0..<focusedDelay, using: &random))
      } else if Int.random(in: 0..<10, using: &random) == 0 {
        usleep(UInt32.random(in: 0..<40_000, using: &random))
      } else {
        let deadline = Date().addingTimeInterval(10)
        while Self.size(journal) == before && process.isRunning && Date() < deadline { usleep(1_000) }
        usleep(UInt32.random(in: 0..<150_000, using: &random))
      }
      if Self.size(journal) > before { report.killsWhileWriting += 1 }
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      if let focus {
        if Self.tail(journal, from: before).split(separator: "\n").last == "begin \(focus.rawValue)" {
          report.killsInsideFocus += 1
          focusedDelay = min(longestDelay, focusedDelay + focusedDelay / 4)
        } else {
          focusedDelay = max(100, focusedDelay / 2)
        }
      }
      if process.terminationReason == .exit {
        report.failures.append("cycle \(cycle): the writer exited by itself with status \(process.terminationStatus)")
      }
      report.kills += 1
      do {
        let checked = try check(journal: journal, cycle: cycle)
        report.acknowledgedWrites = checked.acknowledged
        report.failures += checked.failures
      } catch {
        report.failures.append("cycle \(cycle): the vault could not be reopened or read after the kill: \(error)")
      }
      if report.failures.count > 20 { break }
    }
    report.seconds = Date().timeIntervalSince(start)
    return report
  }

  /// Reopens the vault and checks every invariant against the journal.
  func check(journal: URL, cycle: Int) throws -> (acknowledged: Int, failures: [String]) {
    var failures: [String] = []
    let vault = try Vault(stateDirectory: stateDirectory, logger: logger)
    defer { vault.closeLoggingFailure() }
    let integrity = try vault.integrityCheck()
    if integrity != ["ok"] { failures.append("cycle \(cycle): integrity_check: \(integrity.joined(separator: "; "))") }
    let text = (try? String(contentsOf: journal, encoding: .utf8)) ?? ""
    var marks: [(UUID, Int64, String)] = []
    var shredded = Set<String>()
    var shreddingsDone = Set<String>()
    var candidates: [UUID] = []
    var acknowledging = Set<UUID>()
    var maxAudit: Int64 = 0
    var retentionNow: Int64 = .min
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: " ")
      guard fields.count >= 2 else { continue }
      switch fields[0] {
      case "mark" where fields.count == 4:
        if let id = UUID(uuidString: String(fields[1])), let expiry = Int64(fields[2]) {
          marks.append((id, expiry, String(fields[3])))
        }
      case "shred": shredded.insert(String(fields[1]))
      case "end" where fields.count == 3 && fields[1] == "shredding": shreddingsDone.insert(String(fields[2]))
      case "cand": if let id = UUID(uuidString: String(fields[1])) { candidates.append(id) }
      case "ackintent": if let id = UUID(uuidString: String(fields[1])) { acknowledging.insert(id) }
      case "audit": maxAudit = max(maxAudit, Int64(fields[1]) ?? 0)
      case "retention": retentionNow = max(retentionNow, Int64(fields[1]) ?? .min)
      default: break
      }
    }
    var acknowledged = 0
    for (id, expiry, window) in marks {
      acknowledged += 1
      if expiry <= retentionNow || shredded.contains(window) { continue }  // retention may have deleted it
      if try vault.chalkMark(id: id) == nil { failures.append("cycle \(cycle): committed chalk mark \(id) lost") }
    }
    let pending: [OutboxCandidate]
    do { pending = try vault.pendingCandidates(limit: .max) } catch {
      failures.append("cycle \(cycle): outbox unreadable (half-written candidate?): \(error)")
      pending = []
    }
    let pendingIDs = Set(pending.map(\.id))
    for id in candidates {
      acknowledged += 1
      if !acknowledging.contains(id) && !pendingIDs.contains(id) {
        failures.append("cycle \(cycle): committed candidate \(id) lost")
      }
    }
    let device = vault.keyring.deviceKey.publicKey
    for candidate in pending where !candidate.verify(devicePublicKey: device) || candidate.evidence.count != 2 {
      failures.append("cycle \(cycle): candidate \(candidate.id) is incomplete or its signature is invalid")
    }
    for problem in try vault.windowKeyInconsistencies() { failures.append("cycle \(cycle): \(problem)") }
    for problem in try vault.unreadableOrOrphanedRows() { failures.append("cycle \(cycle): \(problem)") }
    // A shredding that returned is final: its window, key and marks are gone for good.
    let windows = Set(try vault.chalkWindows().map(\.id))
    for window in shreddingsDone.intersection(windows) {
      failures.append("cycle \(cycle): window \(window) was shredded but its key is back")
    }
    if vault.keyring.storageKeyIDs.isEmpty { failures.append("cycle \(cycle): no storage key left") }
    let chain = try vault.verifyAuditLog()
    if !chain.intact { failures.append("cycle \(cycle): audit chain broken at \(chain.firstBrokenSequence ?? 0)") }
    if Int64(chain.entries) < maxAudit {
      failures.append("cycle \(cycle): audit entry \(maxAudit) was committed but the log has \(chain.entries)")
    }
    acknowledged += Int(maxAudit)
    return (acknowledged, failures)
  }

  /// The journal from byte `offset` on (what the current writer wrote).
  static func tail(_ url: URL, from offset: Int64) -> String {
    guard let handle = FileHandle(forReadingAtPath: url.path) else { return "" }
    defer { handle.closeFile() }
    handle.seek(toFileOffset: UInt64(offset))
    return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
  }

  static func size(_ url: URL) -> Int64 {
    FileStatus(path: url.path)?.size ?? 0
  }
}
