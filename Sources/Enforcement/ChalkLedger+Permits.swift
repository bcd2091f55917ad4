// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The rule that governs one sighting, or why none is enforced on it.
enum GoverningRule {
  case rule(Int)
  case skip(SkipReason)
}

extension ChalkLedger {
  /// The rule that governs a car under `policy`, given the rule CDS chose for it (`chosen`, see
  /// ``ZoneSet/governance(in:at:for:)``), or why no rule is enforced on it.
  ///
  /// - A permit only relaxes: the car keeps the rule its valid permits give when that is at least
  ///   as lenient as everyone else's, and gets everyone else's otherwise (a rule set that is
  ///   stricter for a class is refused at load; this keeps the ledger safe even without that check).
  /// - A rule that some class would lift is enforced only when the verified permit list names
  ///   every such class: without a list, no rule a permit would lift is enforced, and a class the
  ///   agent cannot observe (rideshare, commercial, electric…) that would lift it makes the rule
  ///   unenforceable.
  func governingRule(_ car: VehicleClasses, policy: CurbPolicy, chosen: Int) -> GoverningRule {
    let general = policy.ruleIndex(for: VehicleClasses(held: [], observable: car.observable))
    var chosen = chosen
    if chosen != general, let general, let own = policy.leniency(ofRule: chosen),
      let everyone = policy.leniency(ofRule: general), own < everyone
    {
      chosen = general
    }
    if chosen == general || chosen == policy.generalRuleIndex, policy.needsPermitList {
      if !permits.isVerified { return .skip(.noPermitList) }
      // A rule that only classes no list names would lift (commercial, electric, another area's
      // permit): the agent cannot tell an exempt car from another, so the general rule is not
      // enforced. A rule that also names a listed class (permit R and electric) is decided by the
      // listed class: a car without it cannot be exempt.
      if policy.classSetsThatChangeTheGeneralRule.contains(where: { $0.isDisjoint(with: permits.listedClasses) }) {
        return .skip(.unobservableClass)
      }
    }
    return .rule(chosen)
  }
}
