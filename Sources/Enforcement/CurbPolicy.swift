// SPDX-License-Identifier: AGPL-3.0-or-later
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

  /// Creates a policy.
  public init(id: PolicyID, priority: Int, rules: [CurbRule], timeSpans: [TimeSpan]) {
    self.id = id
    self.priority = priority
    self.rules = rules
    self.timeSpans = timeSpans
  }

  /// The index of the first rule that applies to a car holding the given user classes.
  public func ruleIndex(for classes: Set<UserClass>) -> Int? {
    rules.firstIndex { $0.userClasses.isEmpty || !classes.isDisjoint(with: $0.userClasses) }
  }

  /// User classes that some rule of this policy lets park when everyone else may not.
  public var exemptClasses: [UserClass] {
    rules.filter { $0.activity == .parking && !$0.userClasses.isEmpty }.flatMap(\.userClasses)
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
  /// Classes the rule applies to; empty means everyone.
  public var userClasses: [UserClass]

  /// Creates a rule.
  public init(
    activity: Activity, maxStay: TimeInterval? = nil, noReturn: TimeInterval? = nil, userClasses: [UserClass] = []
  ) {
    self.activity = activity
    self.maxStay = maxStay
    self.noReturn = noReturn
    self.userClasses = userClasses
  }
}
