// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// The curb zones and policies of one zones file, indexed for lookup by position, with the
/// schedule logic that says which policy governs a zone at an instant.
public struct ZoneSet: Sendable {
  /// Zones in file order.
  public let zones: [CurbZone]
  /// Policies by id.
  public let policies: [PolicyID: CurbPolicy]
  /// The envelope's `time_zone`, in which every time span is read.
  public let timeZone: TimeZone
  /// Designated periods (holiday lists) by name, as sorted dates.
  public let designatedPeriods: [String: [CivilDate]]
  /// The `version` of the designated-periods document they came from, if any.
  public let periodsVersion: String?

  let clock: LocalClock
  let periodDays: [String: Set<Int>]
  private let grid: ZoneGrid
  private let zoneIndex: [ZoneID: Int]
  /// Policies of each zone, sorted by priority (file order breaks ties), parallel to `zones`.
  private let zonePolicies: [[CurbPolicy]]

  /// Creates a zone set. Policy ids that a zone names but `policies` lacks are ignored (the
  /// loader reports them as errors first).
  public init(
    zones: [CurbZone], policies: [CurbPolicy], timeZone: TimeZone, designatedPeriods: [String: [CivilDate]] = [:],
    periodsVersion: String? = nil
  ) {
    self.periodsVersion = periodsVersion
    self.zones = zones
    var byID: [PolicyID: CurbPolicy] = [:]
    for policy in policies where byID[policy.id] == nil { byID[policy.id] = policy }
    self.policies = byID
    self.timeZone = timeZone
    self.designatedPeriods = designatedPeriods.mapValues { $0.sorted() }
    self.clock = LocalClock(timeZone: timeZone)
    self.periodDays = designatedPeriods.mapValues { Set($0.map(\.dayNumber)) }
    self.grid = ZoneGrid(polygons: zones.map(\.polygon))
    var index: [ZoneID: Int] = [:]
    for (i, zone) in zones.enumerated() where index[zone.id] == nil { index[zone.id] = i }
    self.zoneIndex = index
    let order = Dictionary(policies.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    self.zonePolicies = zones.map { zone in
      zone.policyIDs.compactMap { byID[$0] }.sorted {
        ($0.priority, order[$0.id] ?? 0) < ($1.priority, order[$1.id] ?? 0)
      }
    }
  }

  /// The zone with an id.
  public func zone(_ id: ZoneID) -> CurbZone? { zoneIndex[id].map { zones[$0] } }

  /// The policies of a zone, lowest priority number first.
  public func policies(of zone: ZoneID) -> [CurbPolicy] { zoneIndex[zone].map { zonePolicies[$0] } ?? [] }

  /// Where a position falls among the zones.
  public enum Location: Sendable, Hashable {
    /// In exactly one zone (or near one and no other, within the position's uncertainty).
    case zone(ZoneID)
    /// No zone lies within the position's uncertainty.
    case outside
    /// Several zones lie within the uncertainty and the point itself is not in exactly one.
    case ambiguous([ZoneID])
  }

  /// Finds the zone a curb position lies in, allowing for its uncertainty.
  public func locate(_ position: CurbPosition, at time: Date) -> Location {
    let radius = max(0, position.uncertainty)
    var touching: [(index: Int, distance: Double)] = []
    for index in grid.candidates(latitude: position.latitude, longitude: position.longitude, radius: radius) {
      guard zones[index].exists(at: time) else { continue }
      let distance = zones[index].polygon.signedDistance(latitude: position.latitude, longitude: position.longitude)
      if distance <= radius { touching.append((index, distance)) }
    }
    if touching.isEmpty { return .outside }
    if touching.count == 1 { return .zone(zones[touching[0].index].id) }
    let containing = touching.filter { $0.distance <= 0 }
    if containing.count == 1 { return .zone(zones[containing[0].index].id) }
    return .ambiguous(touching.map { zones[$0.index].id }.sorted())
  }

  /// What governs a car in a zone at an instant.
  public enum Governance: Sendable, Hashable {
    /// No policy of the zone is in effect (or the zone does not exist then).
    case noPolicy
    /// Policies are in effect, but none has a rule that applies to this car.
    case noRuleForCar
    /// The policy and the index of its rule that govern the car.
    case rule(CurbPolicy, Int)
  }

  /// What governs a car in a zone at an instant: of the policies whose spans contain it and
  /// that have a rule applying to the car, the one with the lowest priority number (file order
  /// breaks ties). CDS ranks by priority only policies that apply to the same user class, so a
  /// policy for a class the car does not hold is passed over, not obeyed.
  public func governance(in zone: ZoneID, at time: Date, for car: VehicleClasses) -> Governance {
    guard let index = zoneIndex[zone], zones[index].exists(at: time) else { return .noPolicy }
    let moment = clock.moment(time)
    var inEffect = false
    for policy in zonePolicies[index] {
      guard
        policy.timeSpans.isEmpty
          || policy.timeSpans.contains(where: { $0.contains(time, moment: moment, periods: periodDays) })
      else { continue }
      inEffect = true
      if let rule = policy.ruleIndex(for: car) { return .rule(policy, rule) }
    }
    return inEffect ? .noRuleForCar : .noPolicy
  }

  /// The policy that governs a car of no known class in a zone at an instant, or `nil`.
  public func effectivePolicy(in zone: ZoneID, at time: Date) -> CurbPolicy? {
    if case .rule(let policy, _) = governance(in: zone, at: time, for: .unclassified) { return policy }
    return nil
  }

  /// Seconds in `[from, to)` during which `policy` governs the car in `zone`.
  ///
  /// This is the enforced time of a stay: time outside the policy's spans, or while another
  /// policy governs this car, does not count. It is measured in real seconds, so a
  /// span across a daylight-saving change is an hour shorter or longer than its wall-clock length.
  public func enforcedTime(
    in zone: ZoneID, policy: PolicyID, from: Date, to: Date, for car: VehicleClasses = .unclassified
  ) -> TimeInterval {
    guard to > from, let index = zoneIndex[zone] else { return 0 }
    var points = [from, to]
    for candidate in zonePolicies[index] {
      for span in candidate.timeSpans { span.breakpoints(from: from, to: to, clock: clock, into: &points) }
    }
    if let start = zones[index].startDate, start > from, start < to { points.append(start) }
    if let end = zones[index].endDate, end > from, end < to { points.append(end) }
    points.sort()
    var total: TimeInterval = 0
    var previous = points[0]
    for point in points.dropFirst() where point > previous {
      let middle = previous.addingTimeInterval(point.timeIntervalSince(previous) / 2)
      if case .rule(let governing, _) = governance(in: zone, at: middle, for: car), governing.id == policy {
        total += point.timeIntervalSince(previous)
      }
      previous = point
    }
    return total
  }
}
