// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// A CDS curb policy: rules that apply during its time spans, ranked by priority.
public struct CurbPolicy: Sendable, Hashable {
  /// The `curb_policy_id`.
  public var id: PolicyID
  /// Lower numbers win when several policies of a zone are in effect at once.
  public var priority: Int
  /// The rules, in file order; a car is governed by the first rule that applies to it.
  public var rules: [CurbRule]
  /// When the policy is in effect; empty means always.
  public var timeSpans: [TimeSpan]
  /// CDS `data_source_operator_id`: the policy binds only these operators' fleets.
  ///
  /// A parked car shows no operator, so such a policy never applies to a car the agent sees:
  /// it neither governs it nor, by its priority, hides the policy that does.
  public var operatorIDs: [String]

  /// Creates a policy.
  public init(id: PolicyID, priority: Int, rules: [CurbRule], timeSpans: [TimeSpan], operatorIDs: [String] = []) {
    self.id = id
    self.priority = priority
    self.rules = rules
    self.timeSpans = timeSpans
    self.operatorIDs = operatorIDs
  }

  /// The rule of this policy that applies to a car, or `nil` when none does (the policy then
  /// does not rank against the others for this car: CDS priority only orders policies that
  /// apply to the same user class).
  ///
  /// CDS asks a policy's rules to name disjoint classes; should two apply, the one naming more
  /// classes (the more specific) wins, then file order.
  public func ruleIndex(for car: VehicleClasses) -> Int? {
    guard operatorIDs.isEmpty else { return nil }
    var best: Int?
    for (index, rule) in rules.enumerated() where rule.applies(to: car) {
      if let current = best, rules[current].userClasses.count >= rule.userClasses.count { continue }
      best = index
    }
    return best
  }

  /// User classes that some rule of this policy lets park when everyone else may not: those of
  /// its class-specific parking rules and those a prohibition excepts (`user_classes_except`).
  public var exemptClasses: [UserClass] {
    var classes = rules.filter { $0.activity == .parking && !$0.userClasses.isEmpty }.flatMap(\.userClasses)
    for rule in rules where rule.activity == .noParking || rule.activity == .noStopping {
      classes += rule.exceptClasses.filter { !classes.contains($0) }
    }
    return classes
  }

  /// What Chalkline does with a car governed by rule `index` of this policy.
  public func enforcement(ofRule index: Int) -> RuleEnforcement {
    let rule = rules[index]
    switch rule.activity {
    case .parking:
      if let maxStay = rule.maxStay { return .timed(maxStay: maxStay, noReturn: rule.noReturn) }
      return .allowed
    case .noParking, .noStopping:
      // Only a prohibition that a permit lifts is residential permit parking; a prohibition for
      // everyone (street sweeping, tow-away) is not among the uses the City's protocol authorises.
      let exempt = exemptClasses
      return exempt.isEmpty ? .notEnforced : .permitOnly(exempt)
    default:
      return .notEnforced
    }
  }
}

/// What a rule asks of Chalkline for a given car.
public enum RuleEnforcement: Sendable, Hashable {
  /// Parking is allowed without a limit (for this car).
  case allowed
  /// Parking is limited to `maxStay` seconds of enforced time, with an optional no-return time.
  case timed(maxStay: TimeInterval, noReturn: TimeInterval?)
  /// Only holders of a permit of these classes may park.
  case permitOnly([UserClass])
  /// A rule Chalkline does not enforce (no parking for everyone, loading, travel...).
  case notEnforced
}

/// A CDS curb rule.
public struct CurbRule: Sendable, Hashable {
  /// CDS activities.
  public enum Activity: String, Sendable, Hashable, CaseIterable {
    case parking, loading, unloading, stopping, travel
    case noParking = "no parking"
    case noLoading = "no loading"
    case noUnloading = "no unloading"
    case noStopping = "no stopping"
    case noTravel = "no travel"
  }

  /// The activity the rule allows or forbids.
  public var activity: Activity
  /// Longest allowed stay in seconds (CDS `max_stay` in `max_stay_unit`).
  public var maxStay: TimeInterval?
  /// Seconds a car must stay away after a stay (CDS `no_return` in `no_return_unit`).
  public var noReturn: TimeInterval?
  /// Classes the rule applies to, all of which a car must hold (CDS `user_classes`, AND); empty
  /// means everyone.
  public var userClasses: [UserClass]
  /// Classes the rule does not apply to (CDS 1.1 `user_classes_except`).
  public var exceptClasses: [UserClass]

  /// Creates a rule.
  public init(
    activity: Activity, maxStay: TimeInterval? = nil, noReturn: TimeInterval? = nil, userClasses: [UserClass] = [],
    exceptClasses: [UserClass] = []
  ) {
    self.activity = activity
    self.maxStay = maxStay
    self.noReturn = noReturn
    self.userClasses = userClasses
    self.exceptClasses = exceptClasses
  }
}
