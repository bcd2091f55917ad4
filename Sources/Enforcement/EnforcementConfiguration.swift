// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The tunables of the chalk ledger. The device profile sets them; the defaults suit a
/// side-mounted camera with a curb position good to a few metres.
public struct EnforcementConfiguration: Sendable, Hashable {
  /// Two sightings are at the same place when their distance plus their combined uncertainty
  /// (√(u₁² + u₂²)) is at most this many metres, and the car has moved when their distance minus
  /// it is more. In between the ledger cannot tell and decides nothing. Default 10 m.
  public var samePlaceTolerance: Double = 10
  /// Seconds beyond `max_stay` before an overstay becomes a candidate. Default 5 minutes.
  public var grace: TimeInterval = 300
  /// A sighting whose best reading is less confident than this is skipped. Default 0.5.
  public var minimumReadConfidence: Double = 0.5
  /// Two sightings match when some pair of their alternatives has equal keys and the lower of
  /// the two confidences is at least this. Default 0.3.
  public var minimumMatchConfidence: Double = 0.3
  /// A sighting whose position is less certain than this many metres is skipped, since it could
  /// never be placed. Defaults to the same-place tolerance.
  public var maximumPositionUncertainty: Double = 10
  /// In a permit-only span, a car without the permit becomes a candidate once it has been seen
  /// at the same place for this much enforced time (0: on the first sighting). Default 5 minutes.
  public var permitMinimumObservation: TimeInterval = 300
  /// A chalk mark not seen again for this long expires (longer if its rule's `no_return` is
  /// longer). It bounds how long a plate hash is kept; 24 h lets a chalk made at 17:30 meet the
  /// car the next morning. Default 24 hours.
  public var chalkLifetime: TimeInterval = 86_400

  /// Creates a configuration with the defaults.
  public init() {}

  /// Creates a configuration.
  public init(
    samePlaceTolerance: Double = 10, grace: TimeInterval = 300, minimumReadConfidence: Double = 0.5,
    minimumMatchConfidence: Double = 0.3, maximumPositionUncertainty: Double? = nil,
    permitMinimumObservation: TimeInterval = 300, chalkLifetime: TimeInterval = 86_400
  ) {
    self.samePlaceTolerance = samePlaceTolerance
    self.grace = grace
    self.minimumReadConfidence = minimumReadConfidence
    self.minimumMatchConfidence = minimumMatchConfidence
    self.maximumPositionUncertainty = maximumPositionUncertainty ?? samePlaceTolerance
    self.permitMinimumObservation = permitMinimumObservation
    self.chalkLifetime = chalkLifetime
  }
}
