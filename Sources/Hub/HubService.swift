// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Logging
import Synchronization
import Uplink
import Vault

/// The hub's logic, free of HTTP: ingest, distribution, review access. `HubServer` puts it on
/// the network.
public final class HubService: Sendable {
  /// The configuration.
  public let configuration: HubConfiguration
  /// The storage.
  public let storage: any HubStorage
  let keys: HubKeys
  let logger: Logger
  private let verifiedLogins = LockedCache()

  /// Creates the service.
  public init(configuration: HubConfiguration, storage: any HubStorage, keys: HubKeys, logger: Logger) {
    self.configuration = configuration
    self.storage = storage
    self.keys = keys
    self.logger = logger
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
  public func ingest(_ batch: CandidateBatch, from device: DeviceRecord) async throws -> BatchAcknowledgement {
    guard let key = device.publicKey else {
      throw HubError(.invalid, "Device \(device.name) has no valid Ed25519 key registered; register it again.")
    }
    var verified: [VerifiedCandidate] = []
    var refused: [UUID: String] = [:]
    for candidate in batch.candidates {
      guard let manifest = candidate.verified(by: key) else {
        refused[candidate.id] = "The manifest signature or the evidence digests do not verify with the device key."
        continue
      }
      guard manifest.device == device.id else {
        refused[candidate.id] = "The manifest names device \(manifest.device), not the one whose certificate sent it."
        continue
      }
      guard manifest.version == 1, !manifest.sightings.isEmpty else {
        refused[candidate.id] = "The manifest version or sightings are not supported."
        continue
      }
      verified.append(VerifiedCandidate(wire: candidate, manifest: manifest, deviceID: device.id))
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
      ])
    return BatchAcknowledgement(results: results)
  }

  // MARK: - Distribution

  /// Signs and stores a new version of a document when its body differs from the newest one.
  @discardableResult
  public func publish(_ kind: DistributionKind, body: Data) async throws -> SignedDocument {
    let latest = try await storage.latestDocument(kind)
    if let latest, latest.body == body { return latest }
    let document = try SignedDocument.signed(
      kind: kind, version: (latest?.version ?? 0) + 1, issuedAt: Date(), body: body, key: keys.signing)
    try await storage.saveDocument(document)
    logger.notice(
      "Published a new document.", metadata: ["hub.kind": "\(kind.rawValue)", "hub.version": "\(document.version)"])
    return document
  }

  /// Publishes the hub's public keys and `zones.json` from the distribution directory, each only
  /// if it changed, and the imported permit list when it or the registered devices changed.
  public func publishAll() async throws {
    try await publish(.keys, body: UplinkAPI.encoder().encode(keys.publicKeys))
    try await publishPermits()
    for kind in [DistributionKind.zones] {
      let path = "\(configuration.distributionDirectory)/\(kind.rawValue).json"
      guard let body = FileManager.default.contents(atPath: path) else { continue }
      guard (try? JSONSerialization.jsonObject(with: body)) != nil else {
        throw HubError(.invalid, "\(path) is not JSON; fix it before it can be distributed.")
      }
      try await publish(kind, body: body)
    }
  }

  // MARK: - Review access

  /// Whether a reviewer's name and password match the configuration. Successful checks are
  /// remembered (as a hash) so that PBKDF2 runs once per credential and process.
  public func authenticate(name: String, password: String) -> Bool {
    guard let reviewer = configuration.reviewers.first(where: { $0.name == name }),
      let hash = PasswordHash(encoded: reviewer.passwordHash)
    else { return false }
    let token = Data(SHA256.hash(data: Data("\(reviewer.passwordHash)\u{0}\(password)".utf8)))
    if verifiedLogins.contains(token) { return true }
    guard hash.matches(password) else { return false }
    verifiedLogins.insert(token)
    return true
  }

  /// Opens candidates for a reviewer who stated an allowed purpose. The access is audited
  /// before any plate text leaves; a refused purpose is audited too.
  public func reviewCandidates(
    reviewer: String, purpose: String, reviewState: String?, limit: Int
  ) async throws
    -> [ReviewCandidate]
  {
    guard configuration.purposes.contains(purpose) else {
      try await storage.audit(
        actor: reviewer, purpose: purpose, action: "candidates.list", detail: "",
        outcome: "denied: purpose not allowed", at: Date())
      throw HubError(
        .invalid,
        "The purpose is not one the city allows; use one of: \(configuration.purposes.joined(separator: ", ")).")
    }
    let limit = max(1, min(limit, configuration.maxCandidatesPerRequest))
    let stored = try await storage.candidates(reviewState: reviewState, limit: limit)
    let opener = EvidenceOpener(privateKey: keys.hpke)
    var opened: [ReviewCandidate] = []
    for candidate in stored {
      var texts: [[String]] = []
      for evidence in candidate.evidence {
        do { texts.append(try opener.open(evidence.sealed).plateAlternatives) } catch {
          throw HubError(
            .evidence, "Evidence of candidate \(candidate.id) cannot be opened with the hub key.", underlying: error)
        }
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
        "state=\(reviewState ?? "any") count=\(opened.count) ids=\(opened.map(\.id.uuidString).joined(separator: ","))",
      outcome: "allowed", at: Date())
    return opened
  }

  /// Checks the access audit's hash chain; returns the first broken sequence number, or nil.
  public func verifyAuditChain() async throws -> Int? {
    var previous = ""
    for entry in try await storage.auditEntries() {
      let expected = AccessAuditEntry.chainHash(
        previous: previous, sequence: entry.sequence, at: entry.at, actor: entry.actor, purpose: entry.purpose,
        action: entry.action, detail: entry.detail, outcome: entry.outcome)
      guard entry.previousHash == previous, entry.hash == expected else { return entry.sequence }
      previous = entry.hash
    }
    return nil
  }
}

/// A set of remembered login hashes.
final class LockedCache: Sendable {
  private let set = Mutex<Set<Data>>([])
  func contains(_ token: Data) -> Bool { set.withLock { $0.contains(token) } }
  func insert(_ token: Data) { set.withLock { _ = $0.insert(token) } }
}
