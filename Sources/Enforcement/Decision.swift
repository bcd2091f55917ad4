// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// What the ledger made of one sighting.
public enum Decision: Sendable, Hashable {
  /// Nothing to chalk or report; the sighting can be forgotten.
  case skipped(SkipReason)
  /// The car is chalked: a new mark, or a mark seen again still within its limit.
  case chalked(ChalkMark, renewed: Bool)
  /// A violation candidate for an officer to review. Not a citation.
  case candidate(Candidate)
}

/// Why a sighting was skipped.
public enum SkipReason: String, Sendable, Hashable, Codable, CaseIterable {
  /// No usable position.
  case noFix = "no fix"
  /// The best reading is below the confidence threshold.
  case lowConfidence = "low confidence"
  /// The position, or the two positions compared, are too uncertain to tell where the car is.
  case positionTooUncertain = "position too uncertain"
  /// No curb zone within the position's uncertainty.
  case outsideEveryZone = "outside every zone"
  /// Several zones within the uncertainty and no single one holds the point.
  case ambiguousZone = "ambiguous zone"
  /// No policy of the zone is in effect now.
  case outsideEnforcementHours = "outside enforcement hours"
  /// The car may park here now without limit (a permit holder, or an unrestricted rule).
  case exempt = "exempt"
  /// The rule in effect is not one Chalkline enforces (no parking for everyone, loading...).
  case ruleNotEnforced = "rule not enforced"
  /// This stay has already been reported.
  case alreadyFlagged = "already flagged"
  /// The rule in effect is one a permit would lift, and no verified permit list is held yet.
  case noPermitList = "no verified permit list"
  /// The rule in effect is one a class the agent cannot observe (one no permit list names:
  /// rideshare, commercial, electric…) would lift, so it cannot be told who it applies to.
  case unobservableClass = "class not observable"
}
