// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB

/// When the ticketing system closed the citation records of accepted candidates: the start of
/// their five-year evidence retention (`review_decision.citation_closed_at`).
public enum CitationClosures {
  /// The result of recording closures.
  public struct Result: Sendable, Equatable {
    /// Candidates whose closure was recorded.
    public var closed = 0
    /// Ids the hub does not hold.
    public var unknown: [String] = []
    /// Ids held but not accepted or corrected (pending or rejected: no citation to close).
    public var notCited: [String] = []
  }

  /// One closure: a candidate id and when its citation record closed.
  public struct Closure: Sendable, Equatable {
    /// The candidate id (a UUID, as exported to the ticketing system).
    public var id: String
    /// When the record closed.
    public var closedAt: Date

    /// Creates a closure.
    public init(id: String, closedAt: Date) {
      self.id = id
      self.closedAt = closedAt
    }
  }

  /// Records closures in one transaction; a later closure of the same id replaces the earlier.
  public static func record(_ closures: [Closure], in database: OversightDatabase) async throws -> Result {
    try await database.write("recording citation closures") { db in
      var result = Result()
      for closure in closures {
        let id = closure.id.uppercased()
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM candidate WHERE id = ?", arguments: [id]) != nil else {
          result.unknown.append(closure.id)
          continue
        }
        try db.execute(
          sql: """
            UPDATE review_decision SET citation_closed_at = ?
            WHERE candidate_id = ? AND outcome IN ('accepted', 'corrected')
            """, arguments: [closure.closedAt.millisecondsSince1970, id])
        if db.changesCount == 1 { result.closed += 1 } else { result.notCited.append(closure.id) }
      }
      return result
    }
  }

  /// Reads the ticketing system's CSV of closed citations: a header naming an id column
  /// (`candidate_id` or `id`) and optionally `closed_at`; rows without a date take `defaultClosedAt`.
  public static func parseCSV(_ text: String, defaultClosedAt: Date?) throws -> [Closure] {
    let lines = text.split(whereSeparator: \.isNewline).map { String($0) }.filter {
      !$0.trimmingCharacters(in: .whitespaces).isEmpty
    }
    guard
      let header = lines.first?.split(separator: ",", omittingEmptySubsequences: false).map({
        Self.clean($0).lowercased()
      }),
      let idColumn = header.firstIndex(where: { $0 == "candidate_id" || $0 == "id" })
    else { throw OversightError(.input, "The closures CSV needs a header with a candidate_id (or id) column.") }
    let dateColumn = header.firstIndex(of: "closed_at")
    var closures: [Closure] = []
    var problems: [String] = []
    for (number, line) in lines.enumerated().dropFirst() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(Self.clean)
      guard idColumn < fields.count, UUID(uuidString: fields[idColumn]) != nil else {
        problems.append("line \(number + 1): no candidate id")
        continue
      }
      let stated = dateColumn.flatMap { $0 < fields.count && !fields[$0].isEmpty ? fields[$0] : nil }
      guard let date = stated.map(OversightDates.parse) ?? defaultClosedAt else {
        problems.append("line \(number + 1): closed_at \(stated ?? "missing") is not a date (YYYY-MM-DD)")
        continue
      }
      closures.append(Closure(id: fields[idColumn], closedAt: date))
    }
    guard problems.isEmpty else { throw OversightError(.input, problems.joined(separator: "; ")) }
    return closures
  }

  static func clean(_ field: Substring) -> String {
    field.trimmingCharacters(in: CharacterSet(charactersIn: " \t\r\""))
  }
}

/// Dates as the commands take them: `YYYY-MM-DD` (midnight UTC) or ISO 8601 with a time.
public enum OversightDates {
  /// Parses a date, or nil.
  public static func parse(_ text: String) -> Date? {
    if let date = UTCTime.parse(text) { return date }
    return try? Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().parse(text)
  }
}
