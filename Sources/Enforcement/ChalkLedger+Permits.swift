// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The rule that governs one sighting, or why none is enforced on it.
enum GoverningRule {
  case rule(Int)
  case skip(SkipReason)
}

extension ChalkLedger {
  /// The rule that governs a sighting under `policy`, or why no rule is enforced on it.
  ///
  /// - A permit only relaxes: the car gets the rule its valid permits give when that is at least
  ///   as lenient as everyone else's, and everyone else's otherwise (a rule set that is stricter
  ///   for a class is refused at load; this keeps the ledger safe even without that check).
  /// - A rule that some class would lift is enforced only when the verified permit list names
  ///   every such class: without a list, no rule a permit would lift is enforced, and a class the
  ///   agent cannot observe (rideshare, commercial, electric…) makes the rule unenforceable.
  func governingRule(_ sighting: Sighting, policy: CurbPolicy) -> GoverningRule {
    let held = permits.classes(of: sighting, on: zones.clock.moment(sighting.time).date)
    let general = policy.generalRuleIndex
    var chosen = general
    if !held.isEmpty, let own = policy.ruleIndex(for: held), own != general,
      let ownLeniency = policy.leniency(ofRule: own), let generalLeniency = policy.leniency(ofRule: general),
      ownLeniency >= generalLeniency
    {
      chosen = own
    }
    guard let chosen else { return .skip(.exempt) }
    if chosen == general, policy.needsPermitList {
      if !permits.isVerified { return .skip(.noPermitList) }
      if !policy.classesThatChangeTheGeneralRule.isSubset(of: permits.listedClasses) {
        return .skip(.unobservableClass)
      }
    }
    return .rule(chosen)
  }
}
