// SPDX-License-Identifier: AGPL-3.0-or-later
import FoundationEssentials

/// A digital chalk mark: a car seen parked in a zone under one policy, and when it was last seen.
///
/// It holds keyed hashes only. The vault persists every mark the ledger hands back and gives them
/// to ``ChalkLedger/init(zones:permits:configuration:logger:restoring:)`` after a restart.
public struct ChalkMark: Sendable, Hashable, Codable, Identifiable {
  /// What the mark is counting towards.
  public enum Kind: String, Sendable, Hashable, Codable {
    /// A `max_stay` parking rule.
    case timed
    /// A permit-only span, for a car without the permit.
    case permit
  }

  /// Unique id of the mark (the stay).
  public var id: UUID
  /// The zone.
  public var zone: ZoneID
  /// The policy in effect when the car was chalked; only its enforced time counts.
  public var policy: PolicyID
  /// What the mark counts towards.
  public var kind: Kind
  /// The chalking sighting.
  public var first: Sighting
  /// The most recent sighting of the car at the same place.
  public var last: Sighting
  /// Whether this stay has already been reported as a candidate (a stay is flagged once).
  public var flagged: Bool

  /// Creates a mark.
  public init(
    id: UUID = UUID(), zone: ZoneID, policy: PolicyID, kind: Kind, first: Sighting, last: Sighting,
    flagged: Bool = false
  ) {
    self.id = id
    self.zone = zone
    self.policy = policy
    self.kind = kind
    self.first = first
    self.last = last
    self.flagged = flagged
  }

  /// Every key window whose key made one of the mark's hashes.
  public var keyWindows: Set<KeyWindowID> {
    var windows: Set<KeyWindowID> = []
    for alternative in first.alternatives { for key in alternative.keys { windows.insert(key.window) } }
    for alternative in last.alternatives { for key in alternative.keys { windows.insert(key.window) } }
    return windows
  }
}
