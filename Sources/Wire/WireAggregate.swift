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
    switch place {
    case .zone(let id):
      self.init(hour: hour, areaKind: "zone", area: id, reads: reads, chalkMarks: chalkMarks, candidates: candidates)
    case .tract(let id):
      self.init(hour: hour, areaKind: "tract", area: id, reads: reads, chalkMarks: chalkMarks, candidates: candidates)
    }
  }

  /// The zone or tract counted, or nil for an area kind this version does not know.
  public var place: AggregateArea? {
    switch areaKind {
    case "zone": .zone(area)
    case "tract": .tract(area)
    default: nil
    }
  }
}

/// The area an aggregate counts for: a curb zone or a census tract. Never a plate or a hash.
public enum AggregateArea: Hashable, Sendable {
  case zone(String)
  case tract(String)
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
