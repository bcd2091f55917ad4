// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// How long the hub keeps evidence, the `retention` section of the hub configuration. Every key
/// is optional:
///
/// ```json
/// "retention": {
///   "closed_citation_years": 5,   // evidence of a violation, after its citation record closes
///   "open_citation_years": 7,     // evidence of a violation whose citation never closed, after the decision
///   "rejected_days": 30,          // evidence (and corrected text) of a rejected candidate, after the decision
///   "pending_days": 180,          // optional: evidence of a candidate never reviewed, after it arrived
///   "batch_size": 500,            // candidates per transaction
///   "daily": true                 // `serve` runs retention at start and every 24 hours
/// }
/// ```
///
/// Accepted candidates whose citation closure never comes are pruned `open_citation_years` after
/// the decision (a lost closure must not keep evidence forever); pending candidates only when
/// `pending_days` is set (they then expire unreviewed: evidence deleted, state `expired`).
public struct RetentionPolicy: Sendable, Codable, Equatable {
  /// Years after the citation record closes (default 5, the protocol's citation retention).
  public var closedCitationYears: Int
  /// Years after the officer's acceptance that evidence of a violation whose citation record never
  /// closed is deleted (default 6: the five years a citation is kept, and one for its closure to
  /// arrive; 1…10).
  public var openCitationYears: Int
  /// Days after the officer's rejection (default 30).
  public var rejectedDays: Int
  /// Days after arrival a candidate nobody reviewed expires (nil, the default: never; 1…365).
  public var pendingDays: Int?
  /// Candidates per transaction (default 500).
  public var batchSize: Int
  /// Whether `chalkline-hub serve` runs the daily job (default true).
  public var daily: Bool

  /// Creates a policy.
  public init(
    closedCitationYears: Int = 5, openCitationYears: Int = 7, rejectedDays: Int = 30, pendingDays: Int? = nil,
    batchSize: Int = 500, daily: Bool = true
  ) {
    self.closedCitationYears = closedCitationYears
    self.openCitationYears = openCitationYears
    self.rejectedDays = rejectedDays
    self.pendingDays = pendingDays
    self.batchSize = batchSize
    self.daily = daily
  }

  enum CodingKeys: String, CodingKey {
    case closedCitationYears, openCitationYears, rejectedDays, pendingDays, batchSize, daily
  }

  /// Decodes a policy, with the defaults for absent keys.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let defaults = RetentionPolicy()
    closedCitationYears = try c.decodeIfPresent(Int.self, forKey: .closedCitationYears) ?? defaults.closedCitationYears
    openCitationYears = try c.decodeIfPresent(Int.self, forKey: .openCitationYears) ?? defaults.openCitationYears
    rejectedDays = try c.decodeIfPresent(Int.self, forKey: .rejectedDays) ?? defaults.rejectedDays
    pendingDays = try c.decodeIfPresent(Int.self, forKey: .pendingDays)
    batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? defaults.batchSize
    daily = try c.decodeIfPresent(Bool.self, forKey: .daily) ?? defaults.daily
  }

  /// What is wrong with the policy, one line a key (empty when it is usable).
  public var problems: [String] {
    var problems: [String] = []
    // Bounded above as well: evidence is not to be kept indefinitely by a configuration typo.
    if !(1...10).contains(closedCitationYears) { problems.append("retention.closed_citation_years: must be 1…10") }
    if !(1...10).contains(openCitationYears) { problems.append("retention.open_citation_years: must be 1…10") }
    if !(0...365).contains(rejectedDays) { problems.append("retention.rejected_days: must be 0…365") }
    if let pendingDays, !(1...365).contains(pendingDays) { problems.append("retention.pending_days: must be 1…365") }
    if !(1...10_000).contains(batchSize) { problems.append("retention.batch_size: must be 1…10000") }
    return problems
  }

  /// Closures at or before this instant are due at `now`.
  public func closedCutoff(now: Date) -> Date { Self.years(-closedCitationYears, from: now) }

  /// Acceptances at or before this instant whose citation never closed are due at `now`.
  public func openCitationCutoff(now: Date) -> Date { Self.years(-openCitationYears, from: now) }

  static func years(_ years: Int, from now: Date) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = .gmt
    return calendar.date(byAdding: .year, value: years, to: now)!
  }

  /// Pending candidates received at or before this instant expire at `now` (nil: none do).
  public func pendingCutoff(now: Date) -> Date? { pendingDays.map { now.addingTimeInterval(-Double($0) * 86_400) } }

  /// Rejections at or before this instant are due at `now`.
  public func rejectedCutoff(now: Date) -> Date { now.addingTimeInterval(-Double(rejectedDays) * 86_400) }
}
