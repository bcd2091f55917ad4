// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// One candidate as `GET /v1/candidates` returns it to a reviewer: opened, with the plate text.
public struct ReviewCandidate: Codable, Sendable, Equatable {
  /// One sighting: time and place.
  public struct Sighting: Codable, Sendable, Equatable {
    /// When (ISO 8601 UTC).
    public var time: String
    /// Degrees (WGS 84).
    public var latitude: Double
    /// Degrees (WGS 84).
    public var longitude: Double
    /// Radius of the 95 % uncertainty circle, metres.
    public var uncertaintyM: Double
    /// The plate text read at this sighting.
    public var plateText: String?
  }

  /// The candidate id.
  public var id: UUID
  /// The device id.
  public var device: String
  /// The rule broken.
  public var rule: String
  /// The zone.
  public var zone: String
  /// The plate text read at the sighting that made the candidate.
  public var plateText: String
  /// Other readings of the plate, best first.
  public var plateAlternatives: [String]
  /// `pending`, or the officer's decision.
  public var reviewState: String
  /// When enforcement decided (ISO 8601 UTC).
  public var decidedAt: String
  /// When the hub received it.
  public var receivedAt: Date
  /// Enforced time elapsed between the sightings, seconds.
  public var elapsedS: Double?
  /// Distance between the sightings, metres.
  public var distanceM: Double?
  /// The recognizer's confidence, when the device sent it.
  public var readConfidence: Double?
  /// The sightings, first one first.
  public var sightings: [Sighting]
}
