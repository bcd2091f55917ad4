// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Logging
import Wire

/// Officer review, free of HTTP: the queue, one candidate opened, its pictures, decisions and
/// exports. Every view is written to the access audit with its purpose before anything opened
/// leaves (Cal. Civ. Code §1798.90.52: who, when, what, why); a view without an allowed purpose
/// is refused and the refusal audited. Audit details and logs name candidate ids, never plates.
public struct ReviewService: Sendable {
  /// The hub whose storage, keys and configuration are used.
  public let hub: HubService

  /// Creates the review logic for a hub.
  public init(hub: HubService) { self.hub = hub }

  /// A page of the queue.
  public struct QueuePage: Sendable {
    /// The rows, oldest first.
    public var rows: [ReviewQueueRow]
    /// Pending candidates in all.
    public var total: Int
    /// This page, from 1.
    public var page: Int
    /// Pages in all (at least 1).
    public var pageCount: Int
  }

  /// A candidate opened for an officer.
  public struct Opened: Sendable {
    /// The stored candidate.
    public var candidate: StoredCandidate
    /// Each sighting's opened evidence, in order.
    public var captures: [EvidenceCapture]
    /// The decision, when one was made.
    public var decision: ReviewDecision?
    /// The officer's corrected text, when the decision is `corrected`.
    public var correctedText: String?
    /// What the distributed zones document says of the candidate's zone.
    public var zone: ReviewZone?
    /// The registered name of the vehicle that sent it.
    public var deviceName: String?

    /// The plate text read at the sighting that made the candidate.
    public var plateText: String { captures.last?.plateAlternatives.first ?? "" }
    /// The other readings, best first.
    public var alternatives: [String] { Array((captures.last?.plateAlternatives ?? []).dropFirst()) }
    /// The text the ticketing system gets: the correction when there is one.
    public var citedText: String { correctedText ?? plateText }
  }

  /// What an officer does with a candidate.
  public enum Action: Sendable, Equatable {
    /// Accept as read.
    case accept
    /// Reject, with a reason and an optional note.
    case reject(ReviewDecision.Reason, note: String)
    /// Accept with the officer's plate text instead of the reader's.
    case correct(TypedPlate, note: String)
  }

  /// Which picture of a sighting.
  public enum Picture: String, Sendable, CaseIterable {
    /// The plate crop.
    case plate
    /// The vehicle crop.
    case vehicle
  }

  // MARK: - Purpose

  /// Returns `purpose` when it is one the city allows; otherwise audits the refusal of `action`
  /// and throws `HubError(.purpose)`.
  @discardableResult
  public func requirePurpose(
    _ purpose: String?, actor: String, action: String, detail: String
  ) async throws
    -> String
  {
    let allowed = hub.configuration.purposes
    guard let purpose, !purpose.isEmpty, allowed.contains(purpose) else {
      let stated = String((purpose ?? "").prefix(128))
      try await audit(
        actor, stated, action, detail, stated.isEmpty ? "denied: no purpose stated" : "denied: purpose not allowed")
      throw HubError(
        .purpose, "State the purpose of this view, one of: \(allowed.joined(separator: ", ")).")
    }
    return purpose
  }

  func audit(_ actor: String, _ purpose: String, _ action: String, _ detail: String, _ outcome: String) async throws {
    try await hub.storage.audit(
      actor: actor, purpose: purpose, action: action, detail: detail, outcome: outcome, at: Date())
  }

  // MARK: - Views

  /// One page of pending candidates (plate-free: nothing is opened), audited.
  public func queue(reviewer: String, purpose: String?, page: Int, pageSize: Int = 50) async throws -> QueuePage {
    let size = max(1, min(pageSize, 200))
    let purpose = try await requirePurpose(purpose, actor: reviewer, action: "review.queue", detail: "page=\(page)")
    let total = try await hub.storage.candidateCount(reviewState: "pending")
    let pageCount = max(1, (total + size - 1) / size)
    let page = max(1, min(page, pageCount))
    let rows = try await hub.storage.reviewQueue(state: "pending", offset: (page - 1) * size, limit: size)
    try await audit(reviewer, purpose, "review.queue", "page=\(page) count=\(rows.count)", "allowed")
    return QueuePage(rows: rows, total: total, page: page, pageCount: pageCount)
  }

  /// Opens one candidate (its evidence, decision and zone), audited before it is returned.
  public func open(_ id: UUID, reviewer: String, purpose: String?) async throws -> Opened {
    let detail = "candidate=\(id.uuidString)"
    let purpose = try await requirePurpose(purpose, actor: reviewer, action: "review.candidate", detail: detail)
    let opened = try await load(id)
    try await audit(reviewer, purpose, "review.candidate", detail, "allowed")
    return opened
  }

  /// One picture of one sighting (JPEG), audited before it is returned.
  public func picture(
    _ id: UUID, sighting: Int, _ picture: Picture, reviewer: String, purpose: String?
  ) async throws -> Data {
    let detail = "candidate=\(id.uuidString) sighting=\(sighting) picture=\(picture.rawValue)"
    let purpose = try await requirePurpose(purpose, actor: reviewer, action: "review.picture", detail: detail)
    guard let candidate = try await hub.storage.candidate(id: id), candidate.evidence.indices.contains(sighting) else {
      throw HubError(.notFound, "Candidate \(id) has no sighting \(sighting).")
    }
    let capture = try await openEvidence(candidate, sighting: sighting)
    try await audit(reviewer, purpose, "review.picture", detail, "allowed")
    return picture == .plate ? capture.plateJPEG : capture.vehicleJPEG
  }

  // MARK: - Decisions

  /// Stores an officer's decision and audits it. A candidate is decided once:
  /// `HubError(.conflict)` for a second decision, and that attempt is audited too.
  @discardableResult
  public func decide(
    _ id: UUID, _ action: Action, reviewer: String, purpose: String?
  ) async throws
    -> ReviewDecision
  {
    var detail = "candidate=\(id.uuidString)"
    let purpose = try await requirePurpose(purpose, actor: reviewer, action: "review.decide", detail: detail)
    let decision: ReviewDecision
    switch action {
    case .accept:
      decision = ReviewDecision(candidateID: id, outcome: .accepted, reviewer: reviewer, decidedAt: Date())
    case .reject(let reason, let note):
      decision = ReviewDecision(
        candidateID: id, outcome: .rejected, reason: reason, note: note, reviewer: reviewer, decidedAt: Date())
    case .correct(let plate, let note):
      decision = ReviewDecision(
        candidateID: id, outcome: .corrected, note: note,
        sealedCorrectedText: try CorrectedText.seal(plate.text, candidate: id, to: hub.keys.hpke.publicKey),
        reviewer: reviewer, decidedAt: Date())
    }
    detail += " outcome=\(decision.outcome.rawValue)" + (decision.reason.map { " reason=\($0.rawValue)" } ?? "")
    do { try await hub.storage.storeDecision(decision) } catch let error as HubError where error.code == .conflict {
      try await audit(reviewer, purpose, "review.decide", detail, "denied: already decided")
      throw error
    }
    try await audit(reviewer, purpose, "review.decide", detail, "allowed")
    hub.logger.info(
      "Candidate decided.",
      metadata: ["hub.candidate": "\(id.uuidString)", "hub.outcome": "\(decision.outcome.rawValue)"])
    return decision
  }

  // MARK: - Opening

  func load(_ id: UUID) async throws -> Opened {
    guard let candidate = try await hub.storage.candidate(id: id) else {
      throw HubError(.notFound, "Candidate \(id) does not exist.")
    }
    var captures: [EvidenceCapture] = []
    for sighting in candidate.evidence.indices {
      captures.append(try await openEvidence(candidate, sighting: sighting))
    }
    let decision = try await hub.storage.decision(candidateID: id)
    let corrected = try decision?.sealedCorrectedText.map {
      try hub.keys.openCorrected($0, candidate: id)
    }
    let zones = try await hub.storage.latestDocument(.zones)
    let device = try await hub.storage.devices().first { $0.id == candidate.device }
    return Opened(
      candidate: candidate, captures: captures, decision: decision, correctedText: corrected,
      zone: zones.flatMap { ReviewZone(zone: candidate.zone, document: $0.body) }, deviceName: device?.name)
  }

  func openEvidence(_ candidate: StoredCandidate, sighting: Int) async throws -> EvidenceCapture {
    try await hub.openEvidence(candidate, sighting: sighting)
  }
}
