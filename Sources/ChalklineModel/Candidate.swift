// SPDX-License-Identifier: AGPL-3.0-or-later
import FoundationEssentials

/// A violation candidate: the rule, the zone, both sightings and how sure the ledger is. The
/// ledger makes it; the vault signs and queues it as it is, with the sightings' evidence.
public struct Candidate: Sendable, Hashable, Codable, Identifiable {
  /// Which rule the car appears to break.
  public enum Rule: Sendable, Hashable, Codable {
    /// Parked longer than `maxStay` seconds of enforced time (plus the grace).
    case overstay(maxStay: TimeInterval, grace: TimeInterval)
    /// Came back to the zone within `noReturn` seconds after using its maximum stay.
    case noReturn(maxStay: TimeInterval, noReturn: TimeInterval)
    /// Parked in a permit-only span without a permit of these classes.
    case permitRequired([UserClass])

    /// The rule's name on the wire (`WireManifest.rule`): `max_stay`, `no_return` or `permit`.
    public var wireName: String {
      switch self {
      case .overstay: "max_stay"
      case .noReturn: "no_return"
      case .permitRequired: "permit"
      }
    }
  }

  /// Unique id; the upstream uses it to make uploads idempotent.
  public var id: UUID
  /// The rule.
  public var rule: Rule
  /// The zone.
  public var zone: ZoneID
  /// The policy whose rule it is.
  public var policy: PolicyID
  /// The earlier sighting (the chalk; for a permit candidate seen once, equal to `second`).
  public var first: Sighting
  /// The sighting that made the candidate.
  public var second: Sighting
  /// Enforced seconds between the two sightings (for no-return: between the earlier stay's end
  /// as last seen and the return).
  public var enforcedElapsed: TimeInterval
  /// Metres between the two curb positions.
  public var distance: Double
  /// How sure the match of the two sightings is (for one sighting, its best reading's confidence).
  public var confidence: Double

  /// Creates a candidate.
  public init(
    id: UUID = UUID(), rule: Rule, zone: ZoneID, policy: PolicyID, first: Sighting, second: Sighting,
    enforcedElapsed: TimeInterval, distance: Double, confidence: Double
  ) {
    self.id = id
    self.rule = rule
    self.zone = zone
    self.policy = policy
    self.first = first
    self.second = second
    self.enforcedElapsed = enforcedElapsed
    self.distance = distance
    self.confidence = confidence
  }
}
