// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Logging
import Synchronization
import Wire

/// The hub's logic, free of HTTP: ingest, distribution, review access. `HubServer` puts it on
/// the network.
public final class HubService: Sendable {
  /// The configuration.
  public let configuration: HubConfiguration
  /// The storage.
  public let storage: any HubStorage
  let keys: HubKeys
  let logger: Logger
  let logins: LoginGuard
  /// Whether the lockouts audited before this process started were put back into `logins`.
  let lockoutsRestored = Mutex(false)

  /// Creates the service; the storage chains its audit under the hub's audit key from now on.
  public init(configuration: HubConfiguration, storage: any HubStorage, keys: HubKeys, logger: Logger) {
    self.configuration = configuration
    self.storage = storage
    self.keys = keys
    self.logger = logger
    logins = LoginGuard(reviewers: configuration.reviewers, policy: configuration.login)
    storage.installAuditKey(keys.auditChainKey)
  }

  /// Opens storage and keys as the configuration says.
  public convenience init(configuration: HubConfiguration, logger: Logger) throws {
    let keys = try HubKeys.load(from: configuration.keysDirectory)
    let storage = try SQLiteHubStorage(path: configuration.database)
    self.init(configuration: configuration, storage: storage, keys: keys, logger: logger)
  }

  // MARK: - Ingest

  /// Verifies every candidate of a batch against the device's key and stores the good ones,
  /// idempotently. Answers one acknowledgement per candidate, in batch order.
  ///
  /// A candidate that verifies but breaks a bound (`IngestValidation`) refuses the whole batch
  /// with `HubError(.invalid)` naming the candidate and field: nothing of it is stored, and the
  /// refusal is audited.
  public func ingest(_ batch: CandidateBatch, from device: DeviceRecord) async throws -> BatchAcknowledgement {
    guard let key = device.publicKey else {
      throw HubError(.invalid, "Device \(device.name) has no valid Ed25519 key registered; register it again.")
    }
    do { try IngestValidation.check(batch: batch) } catch { try await refuseBatch(error, from: device) }
    if let head = batch.auditHead { try await recordAuditHead(head, from: device) }
    var verified: [VerifiedCandidate] = []
    var refused: [UUID: String] = [:]
    var predecessors: [DeviceRecord]?
    var legacyEvidence = 0
    for candidate in batch.candidates {
      var signer = device
      var manifest = candidate.verified(by: key)
      if manifest == nil, let named = try? WireManifest.decode(candidate.manifest), named.device != device.id {
        // Signed with a key this vehicle had before it was re-keyed (still in its outbox).
        if predecessors == nil { predecessors = try await storage.predecessors(of: device.id) }
        switch Self.verifiedByEarlierKey(candidate, named: named, predecessors: predecessors ?? []) {
        case .success(let (old, checked)): (signer, manifest) = (old, checked)
        case .failure(let reason):
          refused[candidate.id] = reason.description
          continue
        }
      }
      guard let manifest else {
        refused[candidate.id] = "The manifest signature or the evidence digests do not verify with the device key."
        continue
      }
      guard manifest.device == signer.id else {
        refused[candidate.id] = "The manifest names device \(manifest.device), not the one whose certificate sent it."
        continue
      }
      do { try IngestValidation.check(manifest, wire: candidate) } catch { try await refuseBatch(error, from: device) }
      // The evidence must open as this vehicle's, for this candidate (format v3: HPKE info and
      // associated data name the sealing device and the candidate) and be what the manifest names:
      // evidence another device sealed, or sealed for another candidate, is refused here.
      if predecessors == nil { predecessors = try await storage.predecessors(of: device.id) }
      let devices = [signer.id, device.id] + (predecessors ?? []).map(\.id)
      var legacy: [Int] = []
      do {
        for sighting in candidate.evidence.indices {
          let capture = try keys.openEvidence(
            candidate.evidence, manifest: manifest, candidate: candidate.id, sighting: sighting, devices: devices)
          if capture.sealedFor == nil { legacy.append(sighting) }
        }
      } catch {
        refused[candidate.id] = "Its evidence does not open as sealed by this vehicle for this candidate."
        try await auditEvidence(
          candidate.id, from: device, outcome: "denied: evidence not sealed by this vehicle for this candidate",
          error: error)
        continue
      }
      // Evidence sealed before v3 (a mark chalked, or a candidate queued, before the vehicle's
      // upgrade) is bound to its candidate by the manifest only: taken during the transition, on record.
      if !legacy.isEmpty, !configuration.acceptEvidenceBeforeV3 {
        refused[candidate.id] = "Its evidence was sealed before format v3, which this hub no longer takes."
        try await auditEvidence(candidate.id, from: device, outcome: "denied: sealed before v3")
        continue
      }
      if !legacy.isEmpty {
        legacyEvidence += legacy.count
        try await auditEvidence(
          candidate.id, from: device,
          outcome: "allowed: sealed before v3 (sightings \(legacy.map(String.init).joined(separator: ",")))")
      }
      verified.append(VerifiedCandidate(wire: candidate, manifest: manifest, deviceID: signer.id))
    }
    let stored = try await storage.ingest(verified, receivedAt: Date())
    let results = batch.candidates.map { candidate -> CandidateAcknowledgement in
      if let reason = refused[candidate.id] {
        return CandidateAcknowledgement(id: candidate.id, disposition: .rejected, reason: reason)
      }
      let disposition = stored[candidate.id] ?? .rejected
      return CandidateAcknowledgement(
        id: candidate.id, disposition: disposition,
        reason: disposition == .rejected ? "This id is already held with a different manifest." : nil)
    }
    let counts = Dictionary(grouping: results, by: \.disposition).mapValues(\.count)
    logger.info(
      "Candidate batch ingested.",
      metadata: [
        "hub.device": "\(device.id)", "hub.stored": "\(counts[.stored] ?? 0)",
        "hub.duplicate": "\(counts[.duplicate] ?? 0)", "hub.rejected": "\(counts[.rejected] ?? 0)",
        "hub.legacy_evidence": "\(legacyEvidence)",
      ])
    return BatchAcknowledgement(results: results)
  }

  /// Audits what ingest made of one candidate's evidence (`ingest.evidence`): refused as not sealed
  /// by the sending vehicle for this candidate, or taken as sealed before format v3.
  func auditEvidence(
    _ candidate: UUID, from device: DeviceRecord, outcome: String, error: (any Error)? = nil
  )
    async throws
  {
    try await storage.audit(
      actor: "device:\(device.id)", purpose: "sync", action: "ingest.evidence",
      detail: "device_name=\(device.name) candidate=\(candidate.uuidString)", outcome: outcome, at: Date())
    if let error {
      logger.warning(
        "A candidate's evidence does not open as sealed by the sending vehicle for it; the candidate is refused.",
        metadata: ["hub.device": "\(device.id)", "candidate.id": "\(candidate)", "error": "\(error)"])
    }
  }

  /// How long after a re-key a candidate signed with the old key may still say it was decided:
  /// the vehicle's clock and the hub's may differ by this much.
  static let rekeyClockAllowance: TimeInterval = 600

  /// A candidate whose manifest names an earlier key of the sending vehicle: it verifies with
  /// that key when the key was replaced by a re-key (not revoked) and the candidate was decided
  /// before the re-key. Answers the record that signed it, or why it is refused.
  static func verifiedByEarlierKey(
    _ candidate: WireCandidate, named: WireManifest, predecessors: [DeviceRecord]
  ) -> Result<(DeviceRecord, WireManifest), RefusalReason> {
    guard let old = predecessors.first(where: { $0.id == named.device }), let oldKey = old.publicKey,
      let replacedAt = old.revokedAt
    else {
      return .failure(
        RefusalReason(
          "The manifest names device \(named.device), which is neither this vehicle's key nor one it was re-keyed from."
        ))
    }
    guard let manifest = candidate.verified(by: oldKey) else {
      return .failure(
        RefusalReason("The manifest signature or the evidence digests do not verify with the device key."))
    }
    guard let decided = UTCTime.parse(manifest.decidedAt), decided <= replacedAt + rekeyClockAllowance else {
      return .failure(
        RefusalReason(
          "The candidate is signed with the key replaced at \(UTCTime.format(replacedAt)) but decided after it."))
    }
    return .success((old, manifest))
  }

  /// Audits a refused batch and throws the refusal (the server answers 400 with it).
  func refuseBatch(_ problem: IngestValidation.Problem, from device: DeviceRecord) async throws -> Never {
    try await storage.audit(
      actor: "device:\(device.id)", purpose: "sync", action: "ingest.batch",
      detail: "device_name=\(device.name) candidate=\(problem.candidate?.uuidString ?? "-") field=\(problem.field)",
      outcome: "denied: out of bounds", at: Date())
    logger.error(
      "A device sent a candidate out of bounds; the batch is refused.",
      metadata: ["hub.device": "\(device.id)", "hub.field": "\(problem.field)"])
    throw HubError(.invalid, "The batch is refused, nothing of it stored: \(problem)")
  }

  /// Records the audit head a vehicle sent; a rewritten or cut vehicle log is audited as such.
  func recordAuditHead(_ head: WireAuditHead, from device: DeviceRecord) async throws {
    guard head.sequence >= 0, head.hash.utf8.count <= 128 else {
      try await refuseBatch(.init(field: "audit_head", problem: "sequence below 0 or hash too long"), from: device)
    }
    let check = try await storage.recordDeviceAuditHead(
      device: device.id, sequence: head.sequence, hash: head.hash, at: Date())
    let outcome: String
    switch check {
    case .unchanged: return
    case .recorded: outcome = "allowed"
    case .rewritten(let sequence): outcome = "denied: vehicle audit rewritten at entry \(sequence)"
    case .truncated(let recorded): outcome = "denied: vehicle audit cut (entry \(recorded) was recorded before)"
    }
    try await storage.audit(
      actor: "device:\(device.id)", purpose: "sync", action: "device.audit-head",
      detail: "device_name=\(device.name) sequence=\(head.sequence) hash=\(head.hash)", outcome: outcome, at: Date())
    if outcome != "allowed" {
      logger.critical(
        "A vehicle's audit log no longer matches the head it sent before.",
        metadata: ["hub.device": "\(device.id)", "hub.outcome": "\(outcome)"])
    }
  }

  // MARK: - Distribution

  /// Signs and stores a new version of a document when its body differs from the newest one,
  /// audited with who published it and why. A zones document the vehicles would refuse is
  /// refused (`file` names it in the problems).
  @discardableResult
  public func publish(
    _ kind: DistributionKind, body: Data, actor: String = "hub", purpose: String = "publication at start",
    file: String = "zones.json"
  ) async throws -> SignedDocument {
    if kind == .zones { try Self.checkZonesForPublication(body, path: file) }
    let latest = try await storage.latestDocument(kind)
    if let latest, latest.body == body { return latest }
    let document = try SignedDocument.signed(
      kind: kind, version: (latest?.version ?? 0) + 1, issuedAt: Date(), body: body, key: keys.signing)
    try await storage.saveDocument(document)
    try await storage.audit(
      actor: actor, purpose: purpose, action: "document.publish",
      detail: "kind=\(kind.rawValue) version=\(document.version) sha256=\(body.sha256Hex)", outcome: "allowed",
      at: Date())
    logger.notice(
      "Published a new document.", metadata: ["hub.kind": "\(kind.rawValue)", "hub.version": "\(document.version)"])
    return document
  }

  /// Publishes the hub's public keys and `zones.json` from the distribution directory, each only
  /// if it changed, and the imported permit list when it or the registered devices changed.
  public func publishAll(actor: String = "hub", purpose: String = "publication at start") async throws {
    try await publish(.keys, body: UplinkAPI.encoder().encode(keys.publicKeys), actor: actor, purpose: purpose)
    _ = try await publishPermits(actor: actor)
    for kind in [DistributionKind.zones] {
      let path = "\(configuration.distributionDirectory)/\(kind.rawValue).json"
      guard let body = FileManager.default.contents(atPath: path) else { continue }
      try await publish(kind, body: body, actor: actor, purpose: purpose, file: path)
    }
  }

  // MARK: - Review access

  /// Whether a reviewer's name and password match the configuration, throttled per name and per
  /// source address (`LoginGuard`): a locked name or address is refused without hashing, and the
  /// lockout is audited once when it engages. PBKDF2 runs off the event loop on a bounded pool,
  /// for unknown names too.
  public func authenticate(name: String, password: String, address: String) async throws -> LoginGuard.Outcome {
    if !lockoutsRestored.withLock({ $0 }) { try await restoreLockouts() }
    let outcome = try await logins.attempt(name: name, password: password, address: address)
    if case .failed(let locked) = outcome {
      for lock in locked {
        try await storage.audit(
          actor: lock.key, purpose: "", action: "review.lockout",
          detail: "failures=\(lock.failures) until=\(UTCTime.format(lock.until))",
          outcome: "denied: locked out for \(Int(configuration.login.lockoutMinutes)) min", at: Date())
        logger.warning(
          "Review login locked out after repeated failures.",
          metadata: ["hub.lock": "\(lock.key)", "hub.until": "\(UTCTime.format(lock.until))"])
      }
    }
    return outcome
  }

  /// Puts back the lockouts still running from the access audit (`review.lockout` entries of the
  /// last lockout period), so that restarting the hub does not lift a lockout.
  func restoreLockouts(now: Date = Date()) async throws {
    // A lockout lasts at most 1440 minutes (`login.lockout_minutes`), whatever it was set to then.
    let since = now.addingTimeInterval(-1441 * 60)
    let locks = try await storage.auditEntries(action: "review.lockout", since: since).compactMap {
      entry -> LoginGuard.Lock? in
      let fields = Dictionary(
        entry.detail.split(separator: " ").compactMap { pair -> (String, String)? in
          guard let equals = pair.firstIndex(of: "=") else { return nil }
          return (String(pair[..<equals]), String(pair[pair.index(after: equals)...]))
        }, uniquingKeysWith: { $1 })
      guard let until = fields["until"].flatMap(UTCTime.parse) else { return nil }
      return LoginGuard.Lock(key: entry.actor, failures: fields["failures"].flatMap { Int($0) } ?? 0, until: until)
    }
    logins.restore(locks, now: now)
    lockoutsRestored.withLock { $0 = true }
    if !locks.isEmpty {
      logger.notice(
        "Lockouts from before the restart are in force again.", metadata: ["hub.lockouts": "\(locks.count)"])
    }
  }

  /// Opens one page of the review queue (pending candidates only, oldest first, at most
  /// `max_candidates_per_request`) for a reviewer who stated an allowed purpose. The access is
  /// audited before any plate text leaves; a missing or refused purpose is audited too. Decided
  /// candidates leave the hub only through the exports.
  public func reviewCandidates(
    reviewer: String, purpose: String?, page: Int, limit: Int
  ) async throws
    -> [ReviewCandidate]
  {
    guard let purpose, !purpose.isEmpty, configuration.purposes.contains(purpose) else {
      let stated = String((purpose ?? "").prefix(128))
      try await storage.audit(
        actor: reviewer, purpose: stated, action: "candidates.list", detail: "page=\(page)",
        outcome: stated.isEmpty ? "denied: no purpose stated" : "denied: purpose not allowed", at: Date())
      throw HubError(
        .purpose,
        "State a purpose the city allows: ?purpose= one of \(configuration.purposes.joined(separator: ", ")).")
    }
    let limit = max(1, min(limit, configuration.maxCandidatesPerRequest))
    let page = max(1, min(page, 1_000_000))
    var stored: [StoredCandidate] = []
    for row in try await storage.reviewQueue(state: "pending", offset: (page - 1) * limit, limit: limit) {
      if let candidate = try await storage.candidate(id: row.id) { stored.append(candidate) }
    }
    var opened: [ReviewCandidate] = []
    for candidate in stored {
      var texts: [[String]] = []
      for sighting in candidate.evidence.indices {
        texts.append(try await openEvidence(candidate, sighting: sighting).plateAlternatives)
      }
      let readings = texts.last ?? []
      opened.append(
        ReviewCandidate(
          id: candidate.id, device: candidate.device, rule: candidate.rule, zone: candidate.zone,
          plateText: readings.first ?? "", plateAlternatives: Array(readings.dropFirst()),
          reviewState: candidate.reviewState, decidedAt: candidate.manifest.decidedAt, receivedAt: candidate.receivedAt,
          elapsedS: candidate.manifest.elapsedSeconds, distanceM: candidate.manifest.distanceMeters,
          readConfidence: candidate.manifest.readConfidence,
          sightings: candidate.manifest.sightings.enumerated().map { index, s in
            ReviewCandidate.Sighting(
              time: s.time, latitude: s.latitude, longitude: s.longitude, uncertaintyM: s.uncertaintyM,
              plateText: index < texts.count ? texts[index].first : nil)
          }))
    }
    try await storage.audit(
      actor: reviewer, purpose: purpose, action: "candidates.list",
      detail:
        "state=pending page=\(page) count=\(opened.count) ids=\(opened.map(\.id.uuidString).joined(separator: ","))",
      outcome: "allowed", at: Date())
    return opened
  }

  /// Opens one sighting's evidence of a stored candidate (`HubKeys.openEvidence`): bound to the
  /// candidate by its signed manifest, and to its device or a key that device was re-keyed from.
  public func openEvidence(_ candidate: StoredCandidate, sighting: Int) async throws -> EvidenceCapture {
    let devices = [candidate.device] + (try await storage.predecessors(of: candidate.device)).map(\.id)
    do { return try keys.openEvidence(candidate, sighting: sighting, devices: devices) } catch {
      // Evidence moved into this candidate, or attributed to another device, in hub.sqlite.
      logger.error(
        "Held evidence does not open for its candidate and device.",
        metadata: ["candidate.id": "\(candidate.id)", "sighting": "\(sighting)", "error": "\(error)"])
      try await storage.audit(
        actor: "hub", purpose: "review", action: "evidence.open",
        detail: "candidate=\(candidate.id.uuidString) sighting=\(sighting) device=\(candidate.device)",
        outcome: "denied: does not open for this candidate and device", at: Date())
      throw HubError(
        .evidence, "Evidence of candidate \(candidate.id) cannot be opened with the hub key.", cause: error)
    }
  }

  /// Checks the access audit's chain under the hub's audit key; returns the first broken
  /// sequence number, or nil (`verifyAudit(against:)` also checks it against a checkpoint).
  public func verifyAuditChain() async throws -> Int? {
    let verification = AuditChain.verify(try await storage.auditEntries(), key: keys.auditChainKey)
    return verification.intact ? nil : (verification.firstBroken ?? 0)
  }
}
