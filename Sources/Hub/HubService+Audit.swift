// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import HubOversight
import Logging
import Wire

extension HubService {
  /// Appends an audit entry; the API new hub code calls for every action on records or data.
  @discardableResult
  public func audit(
    actor: String, purpose: String, action: String, detail: String = "", outcome: String = "allowed"
  ) async throws -> AccessAuditEntry {
    try await storage.audit(
      actor: actor, purpose: purpose, action: action, detail: detail, outcome: outcome, at: Date())
  }

  /// Signs and stores a checkpoint of the audit as it stands (`start`, `hourly`, `on demand`).
  @discardableResult
  public func checkpoint(reason: String) async throws -> AuditCheckpoint {
    let head = try await storage.auditHead()
    let checkpoint = try AuditCheckpoint.signed(
      sequence: head.sequence, head: head.hash, at: Date(), reason: reason, key: keys.audit)
    try await storage.saveCheckpoint(checkpoint)
    logger.info(
      "Audit checkpoint written.", metadata: ["hub.sequence": "\(checkpoint.sequence)", "hub.reason": "\(reason)"])
    return checkpoint
  }

  /// Every stored checkpoint, signed, as the privacy officer takes them.
  public func checkpoints() async throws -> [AuditCheckpoint] {
    let key = keys.audit.publicKey.rawRepresentation.base64EncodedString()
    return try await storage.checkpoints().map {
      var checkpoint = $0
      checkpoint.publicKey = key
      return checkpoint
    }
  }

  /// The newest stored checkpoint, signed (what vehicles get from `GET /v1/audit-checkpoint`).
  public func latestCheckpoint() async throws -> AuditCheckpoint? {
    guard var checkpoint = try await storage.latestCheckpoint() else { return nil }
    checkpoint.publicKey = keys.audit.publicKey.rawRepresentation.base64EncodedString()
    return checkpoint
  }

  /// What `verifyAudit` found: the chain walk, and against each checkpoint given.
  public struct AuditReport: Sendable {
    /// The chain walked under the audit key.
    public var chain: AuditChain.Verification
    /// One line per problem (chain and checkpoints); empty when all is intact.
    public var problems: [String]
    /// Whether nothing is wrong.
    public var intact: Bool { problems.isEmpty }
  }

  /// Walks the audit chain and checks it against `checkpoints` (the officer's copies, and by
  /// default every checkpoint the hub stored): each must be signed by the hub's audit key, the
  /// audit must still hold its entries (else truncated) and its entry's hash must be its head
  /// (else rewritten).
  public func verifyAudit(against given: [AuditCheckpoint]? = nil) async throws -> AuditReport {
    let entries = try await storage.auditEntries()
    let chain = AuditChain.verify(entries, key: keys.auditChainKey)
    var problems = chain.problems
    let checkpoints: [AuditCheckpoint]
    if let given { checkpoints = given } else { checkpoints = try await self.checkpoints() }
    for checkpoint in checkpoints {
      let name = "checkpoint of \(checkpoint.at) (\(checkpoint.sequence) entries)"
      guard checkpoint.isValid(for: keys.audit.publicKey) else {
        problems.append("\(name): its signature does not verify with this hub's audit key")
        continue
      }
      if checkpoint.sequence > entries.count {
        problems.append(
          "\(name): truncated, the audit holds \(entries.count) entries, entries \(entries.count + 1)…\(checkpoint.sequence) are gone"
        )
      } else if checkpoint.sequence > 0, entries[checkpoint.sequence - 1].hash != checkpoint.head {
        problems.append("\(name): rewritten, entry \(checkpoint.sequence) no longer has the hash the checkpoint signed")
      }
    }
    return AuditReport(chain: chain, problems: problems)
  }

  /// What `serve` records at start, by the operating-system user who started it: the
  /// configuration (its settings and digest), reviewers added, removed or given a new password
  /// since the last start, and a checkpoint.
  public func recordStart(actor: String) async throws {
    let c = configuration
    let settings = [
      "listen=\(c.listen.host):\(c.listen.port)", "review=\(c.review.host):\(c.review.port)",
      "session_minutes=\(c.review.sessionMinutes)", "purposes=\(c.purposes.joined(separator: "|"))",
      "max_batch_bytes=\(c.maxBatchBytes)", "max_candidates_per_request=\(c.maxCandidatesPerRequest)",
      "retention=closed:\(c.retention.closedCitationYears)y,open:\(c.retention.openCitationYears)y,"
        + "rejected:\(c.retention.rejectedDays)d,pending:\(c.retention.pendingDays.map { "\($0)d" } ?? "off"),"
        + "daily:\(c.retention.daily)",
      "login=\(c.login.maxFailuresPerName)/\(c.login.maxFailuresPerAddress) per \(c.login.windowMinutes) min, lockout \(c.login.lockoutMinutes) min",
      "reviewers=\(c.reviewers.map(\.name).sorted().joined(separator: "|"))",
      "accept_evidence_before_v3=\(c.acceptEvidenceBeforeV3)",
    ]
    try await audit(actor: actor, purpose: "hub start", action: "config.start", detail: settings.joined(separator: " "))
    var now: [String: String] = [:]
    for reviewer in c.reviewers { now[reviewer.name] = Data(reviewer.passwordHash.utf8).sha256Hex }
    let before = try await storage.exchangeReviewersSeen(now)
    for name in now.keys.sorted() {
      if before[name] == nil {
        try await audit(actor: actor, purpose: "hub start", action: "reviewer.add", detail: "reviewer=\(name)")
      } else if before[name] != now[name] {
        try await audit(
          actor: actor, purpose: "hub start", action: "reviewer.password-change", detail: "reviewer=\(name)")
      }
    }
    for name in before.keys.sorted() where now[name] == nil {
      try await audit(actor: actor, purpose: "hub start", action: "reviewer.remove", detail: "reviewer=\(name)")
    }
    try await checkpoint(reason: "start")
  }

  /// Writes a checkpoint every `interval` until cancelled (`serve` runs it beside the server).
  public func hourlyCheckpoints(interval: Duration = .seconds(3600)) async {
    while !Task.isCancelled {
      do { try await Task.sleep(for: interval) } catch { return }
      do { try await checkpoint(reason: "hourly") } catch {
        logger.error("The hourly audit checkpoint failed.", metadata: ["error": "\(error)"])
      }
    }
  }
}
