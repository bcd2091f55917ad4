// SPDX-License-Identifier: AGPL-3.0-or-later
import FoundationEssentials

/// One parked car seen once: when, where on the curb, and its top-N plate readings as keyed hashes.
public struct Sighting: Sendable, Hashable, Codable {
  /// When the car was seen (the frame's time).
  public var time: Date
  /// Where on the curb, or `nil` when there was no usable fix.
  public var position: CurbPosition?
  /// The plate readings, most confident first.
  public var alternatives: [PlateAlternative]
  /// The vault's reference to this sighting's pictures.
  public var evidence: EvidenceID

  /// Creates a sighting.
  public init(time: Date, position: CurbPosition?, alternatives: [PlateAlternative], evidence: EvidenceID) {
    self.time = time
    self.position = position
    self.alternatives = alternatives
    self.evidence = evidence
  }

  /// The highest confidence among the alternatives (0 when there are none).
  public var bestConfidence: Double { alternatives.map(\.confidence).max() ?? 0 }
}
