// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Plate-free counts for one hour and one area. The device sends its running totals; the hub
/// keeps the latest totals per device, hour and area, so a resend is harmless.
public struct WireAggregate: Codable, Sendable, Equatable {
  /// The start of the UTC hour.
  public var hour: Date
  /// `zone` or `tract`.
  public var areaKind: String
  /// The zone or census tract id.
  public var area: String
  /// Plates read.
  public var reads: Int
  /// Chalk marks made.
  public var chalkMarks: Int
  /// Candidates flagged.
  public var candidates: Int

  /// Creates an aggregate.
  public init(hour: Date, areaKind: String, area: String, reads: Int, chalkMarks: Int, candidates: Int) {
    self.hour = hour
    self.areaKind = areaKind
    self.area = area
    self.reads = reads
    self.chalkMarks = chalkMarks
    self.candidates = candidates
  }

  /// Creates the counts of one zone or tract.
  public init(hour: Date, place: AggregateArea, reads: Int, chalkMarks: Int, candidates: Int) {
    self.init(
      hour: hour, areaKind: place.kind, area: place.id, reads: reads, chalkMarks: chalkMarks, candidates: candidates)
  }

  /// The zone or tract counted, or nil for an area kind this version does not know.
  public var place: AggregateArea? { AggregateArea(kind: areaKind, id: area) }
}

/// The area an aggregate counts for: a curb zone or a census tract. Never a plate or a hash.
public enum AggregateArea: Hashable, Sendable {
  case zone(String)
  case tract(String)

  /// The area of `kind` (`zone` or `tract`) named `id`, or nil for another kind.
  public init?(kind: String, id: String) {
    switch kind {
    case "zone": self = .zone(id)
    case "tract": self = .tract(id)
    default: return nil
    }
  }

  /// `zone` or `tract`, as the wire names it.
  public var kind: String {
    switch self {
    case .zone: "zone"
    case .tract: "tract"
    }
  }

  /// The zone or census tract id.
  public var id: String {
    switch self {
    case .zone(let id), .tract(let id): id
    }
  }
}

/// `POST /v1/aggregates` body.
public struct AggregateBatch: Codable, Sendable, Equatable {
  /// Protocol version (1).
  public var version: Int
  /// The counts.
  public var aggregates: [WireAggregate]

  /// Creates a batch.
  public init(version: Int = 1, aggregates: [WireAggregate]) {
    self.version = version
    self.aggregates = aggregates
  }
}

/// `POST /v1/aggregates` answer.
public struct AggregateAcknowledgement: Codable, Sendable, Equatable {
  /// How many aggregates the hub stored.
  public var stored: Int

  /// Creates an acknowledgement.
  public init(stored: Int) { self.stored = stored }
}
