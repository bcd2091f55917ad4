// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// One parked car's plate, seen in one or more consecutive frames as the vehicle drove by.
///
/// Holds plate text: never log it or put it in a metric label or file name.
public struct TrackedPlate: Sendable, Equatable {
  /// A number unique within one tracker.
  public var id: Int
  /// The first frame that read this plate.
  public var firstSeen: Date
  /// The last frame that read this plate.
  public var lastSeen: Date
  /// The voted text (the best alternative).
  public var text: String
  /// The voted texts, best first, each with its share of the votes (they sum to at most 1).
  public var alternatives: [TextAlternative]
  /// The read chosen as evidence: the most confident, largest view of the plate.
  public var evidence: PlateRead
  /// When the evidence frame was taken.
  public var evidenceTime: Date
  /// How many frames read this plate.
  public var readCount: Int
  /// How many of those its texts were fused from (at most the tracker's `maximumFusedReads`).
  public var fusedFrames: Int

  /// The share of the votes the best text won.
  public var confidence: Double { alternatives.first?.confidence ?? 0 }
}
