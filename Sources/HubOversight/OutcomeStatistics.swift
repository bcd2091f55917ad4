// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Review outcome counts for a group of candidates.
public struct OutcomeCounts: Sendable, Codable, Equatable {
  /// Not decided yet.
  public var pending = 0
  /// Accepted as read.
  public var accepted = 0
  /// Accepted with corrected plate text.
  public var corrected = 0
  /// Rejected.
  public var rejected = 0
  /// Rejections by reason (`misread`, `moved`, `has permit`, `other`).
  public var rejectedByReason: [String: Int] = [:]

  /// Creates empty counts.
  public init() {}

  /// Candidates an officer decided.
  public var decided: Int { accepted + corrected + rejected }
  /// Violations: accepted and corrected.
  public var violations: Int { accepted + corrected }
  /// Violations over decided candidates, or nil when none was decided.
  public var acceptanceRate: Double? { decided == 0 ? nil : Double(violations) / Double(decided) }

  mutating func add(_ outcome: ReviewOutcome, reason: RejectionReason?) {
    switch outcome {
    case .pending: pending += 1
    case .accepted: accepted += 1
    case .corrected: corrected += 1
    case .rejected:
      rejected += 1
      rejectedByReason[(reason ?? .other).rawValue, default: 0] += 1
    }
  }
}

/// Counts for one device or zone.
public struct OutcomeGroup: Sendable, Codable, Equatable {
  /// The device id or zone id.
  public var key: String
  /// A name for people: the device's registered name, or the zone id.
  public var label: String
  /// The counts.
  public var counts: OutcomeCounts
}

/// Accepted, rejected and corrected counts overall, per device and per zone: what review
/// outcomes say of the readers' accuracy.
public struct OutcomeStatistics: Sendable, Codable, Equatable {
  /// Every candidate counted.
  public var overall: OutcomeCounts
  /// Per device, by label.
  public var byDevice: [OutcomeGroup]
  /// Per zone, by zone id.
  public var byZone: [OutcomeGroup]

  /// Counts the candidates whose last sighting falls in `interval` (every candidate when nil).
  public static func load(
    from database: OversightDatabase, interval: DateInterval? = nil
  ) async throws
    -> OutcomeStatistics
  {
    let (facts, names) = try await database.read("counting review outcomes") { db in
      (try CandidateFacts.loadAll(db), try CandidateFacts.deviceNames(db))
    }
    return compute(facts.filter { interval?.contains($0.lastTime) ?? true }, deviceNames: names)
  }

  static func compute(_ facts: [CandidateFacts], deviceNames: [String: String]) -> OutcomeStatistics {
    var overall = OutcomeCounts()
    var devices: [String: OutcomeCounts] = [:]
    var zones: [String: OutcomeCounts] = [:]
    for fact in facts {
      overall.add(fact.outcome, reason: fact.reason)
      devices[fact.device, default: OutcomeCounts()].add(fact.outcome, reason: fact.reason)
      zones[fact.zone, default: OutcomeCounts()].add(fact.outcome, reason: fact.reason)
    }
    return OutcomeStatistics(
      overall: overall,
      byDevice: devices.map { OutcomeGroup(key: $0.key, label: deviceNames[$0.key] ?? $0.key, counts: $0.value) }
        .sorted { ($0.label, $0.key) < ($1.label, $1.key) },
      byZone: zones.map { OutcomeGroup(key: $0.key, label: $0.key, counts: $0.value) }.sorted { $0.key < $1.key })
  }

  /// A table for a terminal: one line a group, tab-separated.
  public var text: String {
    var lines = ["group\tname\tpending\taccepted\tcorrected\trejected\tacceptance_rate"]
    func line(_ group: String, _ name: String, _ c: OutcomeCounts) {
      let rate = c.acceptanceRate.map { String(format: "%.3f", $0) } ?? ""
      lines.append("\(group)\t\(name)\t\(c.pending)\t\(c.accepted)\t\(c.corrected)\t\(c.rejected)\t\(rate)")
    }
    line("all", "all", overall)
    for group in byDevice { line("device", group.label, group.counts) }
    for group in byZone { line("zone", group.label, group.counts) }
    return lines.joined(separator: "\n")
  }
}
