// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// How much a parking rule allows, so that the rule a permit holder gets can be compared with
/// the rule everyone else gets: a permit may only ever relax a rule (anything else is a watch
/// list made of rules).
public enum RuleLeniency: Sendable, Hashable, Comparable {
  /// No parking, no stopping.
  case prohibited
  /// Parking limited to `maxStay` seconds; a no-return time makes it stricter than the same stay without one.
  case timed(maxStay: TimeInterval, noReturn: Bool)
  /// Parking without limit, or no rule at all.
  case unrestricted

  public static func < (lhs: RuleLeniency, rhs: RuleLeniency) -> Bool {
    switch (lhs, rhs) {
    case (.prohibited, .prohibited), (.unrestricted, _): false
    case (.prohibited, _), (_, .unrestricted): true
    case (.timed, .prohibited): false
    case (.timed(let a, let aNoReturn), .timed(let b, let bNoReturn)):
      a < b || (a == b && aNoReturn && !bNoReturn)
    }
  }
}

extension CurbPolicy {
  /// The leniency of rule `index` (nil: no rule applies, which is unrestricted), or nil for an
  /// activity that is not parking (loading, travel…), which cannot be compared with parking.
  public func leniency(ofRule index: Int?) -> RuleLeniency? {
    guard let index else { return .unrestricted }
    let rule = rules[index]
    switch rule.activity {
    case .parking:
      guard let maxStay = rule.maxStay else { return .unrestricted }
      return .timed(maxStay: maxStay, noReturn: rule.noReturn != nil)
    case .noParking, .noStopping: return .prohibited
    default: return nil
    }
  }

  /// The rule everyone without a permit gets: the first rule without user classes.
  public var generalRuleIndex: Int? { ruleIndex(for: .unclassified) }

  /// The class sets that would each give a car another rule than the general one: the classes of
  /// each class-specific parking rule (all of which a car must hold, CDS AND), and each class a
  /// prohibition exempts: what the agent must be able to tell apart to enforce the general rule.
  /// Only parking rules can lift a parking rule (a loading rule for a class changes nothing about
  /// the parking the agent enforces); CDS picks a car's rule by its classes, not by rule order.
  public var classSetsThatChangeTheGeneralRule: [Set<UserClass>] {
    let general = generalRuleIndex
    var sets = rules.indices.filter { $0 != general && leniency(ofRule: $0) != nil && !rules[$0].userClasses.isEmpty }
      .map { Set(rules[$0].userClasses) }
    if let general, case .permitOnly(let exempt) = enforcement(ofRule: general) {
      sets += exempt.map { Set([$0]) }
    }
    return sets
  }

  /// Whether the agent enforces this policy's general rule only with a verified permit list
  /// naming every class that would lift it (permit-only spans, "except permit" limits).
  public var needsPermitList: Bool {
    guard let general = generalRuleIndex else { return false }
    switch enforcement(ofRule: general) {
    case .timed, .permitOnly: return !classSetsThatChangeTheGeneralRule.isEmpty
    case .allowed, .notEnforced: return false
    }
  }
}
