// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB

/// An officer's decision on a candidate, as `review_decision.outcome` holds it.
public enum ReviewOutcome: String, Sendable, Codable, CaseIterable {
  /// Not decided yet (no decision row).
  case pending
  /// Accepted as read: a violation.
  case accepted
  /// Accepted with the plate text corrected: a violation, and a misread for accuracy.
  case corrected
  /// Rejected with a reason.
  case rejected

  /// Whether the candidate counts as a violation.
  public var isViolation: Bool { self == .accepted || self == .corrected }
}

/// The reasons a rejection is reported under. The review page offers exactly these; anything
/// else a decision row holds is reported as `other`, so free text (which could hold a plate)
/// never reaches a report.
public enum RejectionReason: String, Sendable, Codable, CaseIterable {
  /// The plate was read wrong.
  case misread
  /// The vehicle had moved between the sightings.
  case moved
  /// The vehicle holds a permit for the zone.
  case hasPermit = "has permit"
  /// Any other reason.
  case other

  /// The reason a stored `review_decision.reason` is reported as.
  public init(stored: String) {
    let words = stored.lowercased().replacingOccurrences(of: "_", with: " ").replacingOccurrences(of: "-", with: " ")
      .trimmingCharacters(in: .whitespaces)
    if words.contains("permit") {
      self = .hasPermit
    } else {
      self = Self(rawValue: words) ?? .other
    }
  }
}

/// The plate-free facts of one candidate that oversight reports on. Its id is kept for joins and
/// retention and never written to a report.
struct CandidateFacts: Sendable {
  var id: String
  var device: String
  var zone: String
  var lastTime: Date
  var last: GeoPoint
  var outcome: ReviewOutcome
  var reason: RejectionReason?

  static func loadAll(_ db: Database) throws -> [CandidateFacts] {
    try Row.fetchAll(
      db,
      sql: """
        SELECT c.id, c.device_id, c.zone, c.last_time, c.last_latitude, c.last_longitude, d.outcome, d.reason
        FROM candidate c LEFT JOIN review_decision d ON d.candidate_id = c.id
        """
    ).map { row in
      let outcome = (row["outcome"] as String?).flatMap(ReviewOutcome.init(rawValue:)) ?? .pending
      return CandidateFacts(
        id: row["id"], device: row["device_id"], zone: row["zone"],
        lastTime: UTCTime.parse(row["last_time"] as String) ?? .distantPast,
        last: GeoPoint(latitude: row["last_latitude"], longitude: row["last_longitude"]), outcome: outcome,
        reason: outcome == .rejected ? RejectionReason(stored: row["reason"] ?? "") : nil)
    }
  }

  static func deviceNames(_ db: Database) throws -> [String: String] {
    Dictionary(
      try Row.fetchAll(db, sql: "SELECT id, name FROM device").map { ($0["id"] as String, $0["name"] as String) },
      uniquingKeysWith: { a, _ in a })
  }
}
