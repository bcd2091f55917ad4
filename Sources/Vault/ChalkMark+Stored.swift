// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// What the vault keeps of the ledger's chalk mark: its window, the keyed hash of each of the
/// first sighting's alternatives under that window's key, their confidences, and the first
/// sighting's sealed evidence.
extension ChalkMark {
  /// The chalk window whose key made the mark's hashes (the ledger keeps only those keys in a
  /// mark), nil for a mark without a keyed reading.
  public var window: KeyWindowID? { first.alternatives.first?.keys.first?.window }

  /// The first sighting's alternatives that have a key in the mark's window, as stored.
  var storedAlternatives: [(hash: PlateHash, confidence: Double)] {
    guard let window else { return [] }
    return first.alternatives.compactMap { alternative in
      alternative.keys.first { $0.window == window }.map { ($0.hash, alternative.confidence) }
    }
  }

  /// The keyed hashes the vault stores and matches, one per alternative of the first sighting.
  public var plateHashes: [PlateHash] { storedAlternatives.map(\.hash) }

  /// The first sighting's evidence, which the vault stores with the mark (nil when the reference
  /// is not one of the vault's).
  public var evidenceID: UUID? { first.evidence.uuid }

  /// A mark as the vault stores it: the last sighting is the first but for its time. Times are
  /// kept to the millisecond, as they are stored.
  public init(
    id: UUID = UUID(), window: KeyWindowID, hashes: [PlateHash], confidences: [Double] = [], zone: ZoneID,
    policy: PolicyID, kind: Kind, position: CurbPosition, firstSeen: Date, lastSeen: Date, evidence: UUID,
    flagged: Bool = false
  ) {
    let alternatives = hashes.enumerated().map { index, hash in
      PlateAlternative(
        keys: [PlateKey(window: window, hash: hash)],
        confidence: index < confidences.count ? confidences[index] : 1)
    }
    let first = Sighting(
      time: firstSeen.roundedToMilliseconds, position: position,
      alternatives: alternatives, evidence: EvidenceID(evidence))
    var last = first
    last.time = lastSeen.roundedToMilliseconds
    self.init(id: id, zone: zone, policy: policy, kind: kind, first: first, last: last, flagged: flagged)
  }
}
