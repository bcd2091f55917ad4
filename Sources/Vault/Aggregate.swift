// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// The area an aggregate counts for: a curb zone or a census tract. Never a plate or a hash.
public enum AggregateArea: Hashable, Sendable {
  case zone(String)
  case tract(String)

  var stored: String {
    switch self {
    case .zone(let id): "zone:\(id)"
    case .tract(let id): "tract:\(id)"
    }
  }

  init?(stored: String) {
    if stored.hasPrefix("zone:") {
      self = .zone(String(stored.dropFirst(5)))
    } else if stored.hasPrefix("tract:") {
      self = .tract(String(stored.dropFirst(6)))
    } else {
      return nil
    }
  }
}

/// Plate-free counts for one hour and one area, for the city's annual report.
public struct Aggregate: Sendable, Equatable {
  /// The start of the hour (UTC).
  public var hour: Date
  /// The zone or tract.
  public var area: AggregateArea
  /// Plates read.
  public var reads: Int
  /// Chalk marks made.
  public var chalkMarks: Int
  /// Candidates flagged.
  public var candidates: Int
  /// Whether the upstream has acknowledged these counts.
  public var synced: Bool

  /// Creates an aggregate row.
  public init(hour: Date, area: AggregateArea, reads: Int, chalkMarks: Int, candidates: Int, synced: Bool = false) {
    self.hour = hour
    self.area = area
    self.reads = reads
    self.chalkMarks = chalkMarks
    self.candidates = candidates
    self.synced = synced
  }

  /// The start of the UTC hour holding `date`, in milliseconds.
  static func hourStart(_ date: Date) -> Int64 {
    let ms = date.millisecondsSince1970
    return ms - ((ms % 3_600_000) + 3_600_000) % 3_600_000
  }
}
