// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Logging

/// The digital chalk ledger: turns sightings into decisions, keeping only keyed plate hashes.
///
/// A value type with no clock of its own: every sighting carries its time, and ``expire(now:)``
/// takes the time from the caller, so a recorded drive replays exactly. The caller (the
/// pipeline) owns one ledger, persists the marks each ``Outcome`` saves or removes through the
/// vault, and rebuilds the ledger from them after a restart.
public struct ChalkLedger: Sendable {
  /// The result of one sighting: the decision, and what the vault must store or delete.
  public struct Outcome: Sendable, Hashable {
    /// The decision.
    public var decision: Decision
    /// A mark created or changed by this sighting, to persist (replacing one with the same id).
    public var saved: ChalkMark?
    /// Marks this sighting ended (the car moved), to delete with their evidence.
    public var removed: [ChalkMark]
  }

  /// The zones in force.
  public private(set) var zones: ZoneSet
  /// The verified permit list in force (``PermitRegistry/none`` before one verified).
  public var permits: PermitRegistry
  /// Tunables.
  public let configuration: EnforcementConfiguration
  /// The key windows of the zones' time zone.
  public private(set) var schedule: KeyWindowSchedule

  private var logger: Logger
  private(set) var marks: [UUID: ChalkMark] = [:]
  private var marksByKey: [PlateKey: Set<UUID>] = [:]
  /// How many live marks hold keys of each key window: the windows still live, without a walk
  /// over every mark at each expiry and each ``keyWindows(at:)``.
  private var marksByWindow: [KeyWindowID: Int] = [:]
  var trackedWindows: Set<KeyWindowID> = []

  /// Creates a ledger, restoring marks the vault persisted (pass none for a fresh start).
  public init(
    zones: ZoneSet, permits: PermitRegistry = .none, configuration: EnforcementConfiguration = .init(),
    logger: Logger, restoring restored: [ChalkMark] = []
  ) {
    self.zones = zones
    self.permits = permits
    self.configuration = configuration
    self.schedule = KeyWindowSchedule(timeZone: zones.timeZone)
    self.logger = logger
    for mark in restored { insert(mark) }
  }

  /// All live marks, oldest first.
  public var liveMarks: [ChalkMark] {
    marks.values.sorted { ($0.first.time, $0.id.uuidString) < ($1.first.time, $1.id.uuidString) }
  }

  /// Replaces the zones (a new file from upstream). Marks whose zone or policy is gone expire at the next ``expire(now:)``.
  public mutating func replaceZones(_ newZones: ZoneSet) {
    zones = newZones
    schedule = KeyWindowSchedule(timeZone: newZones.timeZone)
  }

  /// The key windows a sighting at `time` must be hashed under: its own day's, then every
  /// earlier one a live mark still holds keys of. (Add the permit registry's window too.)
  public func keyWindows(at time: Date) -> [KeyWindowID] {
    let current = schedule.window(at: time)
    var windows = liveWindows()
    windows.remove(current)
    return [current] + windows.sorted()
  }

  // MARK: - Deciding

  /// Decides what a sighting means and updates the ledger.
  public mutating func decide(_ sighting: Sighting) -> Outcome {
    trackedWindows.insert(schedule.window(at: sighting.time))
    let outcome = evaluate(sighting)
    for mark in outcome.removed { removeMark(mark.id) }
    if let saved = outcome.saved {
      removeMark(saved.id)
      insert(saved)
    }
    logger.debug(
      "sighting decided",
      metadata: [
        "enforcement.decision": "\(outcome.decision.kindName)",
        "enforcement.zone": "\(outcome.decision.zone?.rawValue ?? "-")",
      ])
    return outcome
  }

  private func evaluate(_ sighting: Sighting) -> Outcome {
    guard let position = sighting.position else { return .skip(.noFix) }
    guard sighting.bestConfidence >= configuration.minimumReadConfidence else { return .skip(.lowConfidence) }
    guard position.uncertainty <= configuration.maximumPositionUncertainty else { return .skip(.positionTooUncertain) }
    let zoneID: ZoneID
    switch zones.locate(position, at: sighting.time) {
    case .outside: return .skip(.outsideEveryZone)
    case .ambiguous: return .skip(.ambiguousZone)
    case .zone(let id): zoneID = id
    }
    let car = permits.vehicleClasses(of: sighting, on: zones.clock.moment(sighting.time).date)
    var policy: CurbPolicy
    var ruleIndex: Int
    switch zones.governance(in: zoneID, at: sighting.time, for: car) {
    case .noPolicy: return .skip(.outsideEnforcementHours)
    case .noRuleForCar: return .skip(.exempt)
    case .rule(let governing, let index): (policy, ruleIndex) = (governing, index)
    }
    // A permit only ever relaxes, across policies too: a listed car never gets a stricter rule
    // than a car of no class would (the load check refuses such rule sets; this holds without it).
    if !car.held.isEmpty, let own = policy.leniency(ofRule: ruleIndex) {
      switch zones.governance(in: zoneID, at: sighting.time, for: VehicleClasses(observable: car.observable)) {
      case .rule(let basePolicy, let baseIndex):
        if let base = basePolicy.leniency(ofRule: baseIndex), own < base {
          (policy, ruleIndex) = (basePolicy, baseIndex)
        }
      case .noPolicy, .noRuleForCar:
        if own < .unrestricted { return .skip(.exempt) }
      }
    }
    switch governingRule(car, policy: policy, chosen: ruleIndex) {
    case .rule(let index): ruleIndex = index
    case .skip(let reason): return .skip(reason)
    }
    let kind: ChalkMark.Kind
    switch policy.enforcement(ofRule: ruleIndex) {
    case .allowed: return .skip(.exempt)
    case .notEnforced: return .skip(.ruleNotEnforced)
    case .timed: kind = .timed
    case .permitOnly: kind = .permit
    }
    let own = ownKeys(sighting)
    guard let (mark, confidence) = bestMatch(for: sighting, zone: zoneID, policy: policy.id) else {
      return chalk(own, zone: zoneID, policy: policy, ruleIndex: ruleIndex, kind: kind, replacing: [])
    }
    return follow(mark, with: own, confidence: confidence, policy: policy, ruleIndex: ruleIndex, car: car)
  }

  /// The sighting with only the keys of its own window kept, as a mark stores it.
  private func ownKeys(_ sighting: Sighting) -> Sighting {
    let window = schedule.window(at: sighting.time)
    var copy = sighting
    copy.alternatives = sighting.alternatives.map { alternative in
      PlateAlternative(keys: alternative.keys.filter { $0.window == window }, confidence: alternative.confidence)
    }
    return copy
  }

  /// A new mark for a car not chalked here yet (or that moved), or an immediate permit candidate.
  private func chalk(
    _ sighting: Sighting, zone: ZoneID, policy: CurbPolicy, ruleIndex: Int, kind: ChalkMark.Kind, replacing: [ChalkMark]
  ) -> Outcome {
    var mark = ChalkMark(zone: zone, policy: policy.id, kind: kind, first: sighting, last: sighting)
    if kind == .permit, configuration.permitMinimumObservation <= 0,
      case .permitOnly(let classes) = policy.enforcement(ofRule: ruleIndex)
    {
      mark.flagged = true
      let candidate = Candidate(
        rule: .permitRequired(classes), zone: zone, policy: policy.id, first: sighting, second: sighting,
        enforcedElapsed: 0, distance: 0, confidence: sighting.bestConfidence)
      return Outcome(decision: .candidate(candidate), saved: mark, removed: replacing)
    }
    return Outcome(decision: .chalked(mark, renewed: false), saved: mark, removed: replacing)
  }

  /// A car seen again in a zone where it has a mark under the same policy.
  private func follow(
    _ mark: ChalkMark, with sighting: Sighting, confidence: Double, policy: CurbPolicy, ruleIndex: Int,
    car: VehicleClasses
  ) -> Outcome {
    guard let firstPosition = mark.first.position, let position = sighting.position else { return .skip(.noFix) }
    let distance = firstPosition.distance(to: position)
    let combined = (firstPosition.uncertainty * firstPosition.uncertainty + position.uncertainty * position.uncertainty)
      .squareRoot()
    let tolerance = configuration.samePlaceTolerance
    let enforcement = policy.enforcement(ofRule: ruleIndex)
    if distance - combined > tolerance {
      // The car moved: this is a new stay. With no_return, coming back too soon after using the
      // whole stay is itself a candidate.
      if case .timed(let maxStay, let noReturn?) = enforcement,
        sighting.time.timeIntervalSince(mark.last.time) < noReturn,
        zones.enforcedTime(in: mark.zone, policy: mark.policy, from: mark.first.time, to: mark.last.time, for: car)
          >= maxStay
      {
        let fresh = ChalkMark(
          zone: mark.zone, policy: policy.id, kind: mark.kind, first: sighting, last: sighting, flagged: true)
        let candidate = Candidate(
          rule: .noReturn(maxStay: maxStay, noReturn: noReturn), zone: mark.zone, policy: policy.id, first: mark.last,
          second: sighting, enforcedElapsed: sighting.time.timeIntervalSince(mark.last.time), distance: distance,
          confidence: confidence)
        return Outcome(decision: .candidate(candidate), saved: fresh, removed: [mark])
      }
      return chalk(sighting, zone: mark.zone, policy: policy, ruleIndex: ruleIndex, kind: mark.kind, replacing: [mark])
    }
    guard distance + combined <= tolerance else { return .skip(.positionTooUncertain) }
    var updated = mark
    updated.last = sighting
    if mark.flagged { return Outcome(decision: .skipped(.alreadyFlagged), saved: updated, removed: []) }
    let elapsed = zones.enforcedTime(
      in: mark.zone, policy: mark.policy, from: mark.first.time, to: sighting.time, for: car)
    let rule: Candidate.Rule?
    switch enforcement {
    case .timed(let maxStay, _):
      rule = elapsed > maxStay + configuration.grace ? .overstay(maxStay: maxStay, grace: configuration.grace) : nil
    case .permitOnly(let classes):
      rule = elapsed >= configuration.permitMinimumObservation ? .permitRequired(classes) : nil
    case .allowed, .notEnforced:
      rule = nil
    }
    guard let rule else { return Outcome(decision: .chalked(updated, renewed: true), saved: updated, removed: []) }
    updated.flagged = true
    let candidate = Candidate(
      rule: rule, zone: mark.zone, policy: mark.policy, first: mark.first, second: sighting, enforcedElapsed: elapsed,
      distance: distance, confidence: confidence)
    return Outcome(decision: .candidate(candidate), saved: updated, removed: [])
  }

  // MARK: - Matching

  /// The live mark in `zone` under `policy` that the sighting matches best, with the match confidence.
  ///
  /// Two sightings match when any alternative of one has a key equal to a key of an alternative
  /// of the other; the confidence of a pair is the lower of the two, and the best pair counts.
  func bestMatch(for sighting: Sighting, zone: ZoneID, policy: PolicyID) -> (ChalkMark, Double)? {
    var best: (ChalkMark, Double)?
    var seen: Set<UUID> = []
    for alternative in sighting.alternatives {
      for key in alternative.keys {
        for id in marksByKey[key] ?? [] where !seen.contains(id) {
          seen.insert(id)
          // A mark past its expiry is as good as deleted, whether or not expire(now:) ran yet.
          guard let mark = marks[id], mark.zone == zone, mark.policy == policy, expiry(of: mark) > sighting.time
          else { continue }
          let confidence = Self.matchConfidence(sighting, mark)
          guard confidence >= configuration.minimumMatchConfidence else { continue }
          if best == nil || confidence > best!.1 || (confidence == best!.1 && mark.first.time < best!.0.first.time) {
            best = (mark, confidence)
          }
        }
      }
    }
    return best
  }

  static func matchConfidence(_ sighting: Sighting, _ mark: ChalkMark) -> Double {
    var best = 0.0
    for theirs in [mark.first.alternatives, mark.last.alternatives] {
      for their in theirs {
        for ours in sighting.alternatives where min(ours.confidence, their.confidence) > best {
          if ours.keys.contains(where: { their.keys.contains($0) }) { best = min(ours.confidence, their.confidence) }
        }
      }
    }
    return best
  }

  // MARK: - Storage

  /// Every key window a live mark holds keys of.
  func liveWindows() -> Set<KeyWindowID> { Set(marksByWindow.keys) }

  /// Every key of both sightings of a mark, in order (without building an array of them).
  private static func forEachKey(of mark: ChalkMark, _ body: (PlateKey) -> Void) {
    for alternative in mark.first.alternatives { for key in alternative.keys { body(key) } }
    for alternative in mark.last.alternatives { for key in alternative.keys { body(key) } }
  }

  private mutating func insert(_ mark: ChalkMark) {
    marks[mark.id] = mark
    Self.forEachKey(of: mark) { key in marksByKey[key, default: []].insert(mark.id) }
    for window in mark.keyWindows {
      marksByWindow[window, default: 0] += 1
      trackedWindows.insert(window)
    }
  }

  mutating func removeMark(_ id: UUID) {
    guard let mark = marks.removeValue(forKey: id) else { return }
    Self.forEachKey(of: mark) { key in
      guard let index = marksByKey.index(forKey: key) else { return }
      marksByKey.values[index].remove(id)
      if marksByKey.values[index].isEmpty { marksByKey.remove(at: index) }
    }
    for window in mark.keyWindows {
      let left = marksByWindow[window, default: 0] - 1
      marksByWindow[window] = left > 0 ? left : nil
    }
  }
}

extension ChalkLedger.Outcome {
  static func skip(_ reason: SkipReason) -> Self { .init(decision: .skipped(reason), saved: nil, removed: []) }
}

extension Decision {
  /// A short plate-free name of the decision, for logs and metrics.
  public var kindName: String {
    switch self {
    case .skipped(let reason): "skipped: \(reason.rawValue)"
    case .chalked(_, let renewed): renewed ? "chalked again" : "chalked"
    case .candidate: "candidate"
    }
  }

  /// The zone the decision concerns, if any.
  public var zone: ZoneID? {
    switch self {
    case .skipped: nil
    case .chalked(let mark, _): mark.zone
    case .candidate(let candidate): candidate.zone
    }
  }
}
