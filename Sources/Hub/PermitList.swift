// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Enforcement
import Foundation

/// The city's residential permit list as the permit office exports it, read into canonical plates.
///
/// A CSV file: a header line, then `plate,state,user_class,valid_from,valid_to` in the header's
/// column order (other columns ignored; `state` may be empty). Dates are local calendar dates in
/// the zones' time zone, both inclusive. Plates are kept in ``PlateCanonicalForm``, the form the
/// vehicle hashes its readings in. Every bad line is a problem `FILE:LINE: column: problem
/// (expected …)`; a file with any is refused as a whole.
public struct PermitList: Sendable, Codable, Equatable {
  /// One permit.
  public struct Permit: Sendable, Codable, Hashable {
    /// The plate in canonical form.
    public var plate: String
    /// The issuing state (may be empty).
    public var state: String
    /// The user class the zones' rules name (`permit R`).
    public var userClass: String
    /// First local date it counts on.
    public var validFrom: CivilDate
    /// Last local date it counts on.
    public var validTo: CivilDate
  }

  /// The permits, in file order.
  public var permits: [Permit]

  /// The columns the file must have.
  public static let columns = ["plate", "state", "user_class", "valid_from", "valid_to"]

  /// A list that cannot be imported: every problem, one a line; nothing changed.
  static func refusal(_ file: String, _ problems: [FileProblem]) -> FileRefusal {
    FileRefusal(
      .invalid, file: file, message: "\(file): refused, nothing changed (\(problems.count) problem(s)):",
      problems: problems)
  }

  /// Reads a permit office export.
  public static func parse(_ data: Data, file: String) throws -> PermitList {
    // Spreadsheet exports often start with a UTF-8 byte order mark.
    let bom = Data([0xEF, 0xBB, 0xBF])
    guard let text = String(data: data.starts(with: bom) ? data.dropFirst(3) : data, encoding: .utf8) else {
      throw refusal(
        file,
        [
          FileProblem(file: file, line: 1, keyPath: "file", problem: "not UTF-8 text", expected: "a CSV export")
        ])
    }
    var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" }).map {
      $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    if lines.last == "" { lines.removeLast() }
    let expectedHeader = "a header naming \(columns.joined(separator: ","))"
    guard let headerLine = lines.first else {
      throw refusal(
        file,
        [
          FileProblem(file: file, line: 1, keyPath: "header", problem: "the file is empty", expected: expectedHeader)
        ])
    }
    let header = fields(of: headerLine).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    var index: [String: Int] = [:]
    var problems: [FileProblem] = []
    for column in columns {
      guard let position = header.firstIndex(of: column) else {
        problems.append(
          FileProblem(
            file: file, line: 1, keyPath: "header", problem: "no column \"\(column)\"", expected: expectedHeader))
        continue
      }
      index[column] = position
    }
    guard problems.isEmpty else { throw refusal(file, problems) }
    var permits: [Permit] = []
    for (offset, line) in lines.enumerated().dropFirst() {
      let number = offset + 1
      if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      let values = fields(of: line)
      func value(_ column: String) -> String? {
        let position = index[column]!
        return position < values.count ? values[position].trimmingCharacters(in: .whitespaces) : nil
      }
      guard values.count >= header.count else {
        problems.append(
          FileProblem(
            file: file, line: number, keyPath: "line", problem: "\(values.count) field(s)",
            expected: "\(header.count), one per header column"))
        continue
      }
      var bad = false
      func problem(_ column: String, _ text: String, expected: String) {
        problems.append(FileProblem(file: file, line: number, keyPath: column, problem: text, expected: expected))
        bad = true
      }
      // The plate is never echoed: an error message is a log line too.
      let plate = PlateCanonicalForm.canonical(value("plate") ?? "")
      if plate.isEmpty {
        problem("plate", "empty", expected: "the plate's letters and digits")
      } else if !(2...8).contains(plate.count) || !plate.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
        problem("plate", "not a plate", expected: "2 to 8 letters and digits; spaces and dashes are ignored")
      }
      let state = value("state") ?? ""
      if !state.isEmpty, !(state.count == 2 && state.allSatisfy({ $0.isASCII && $0.isLetter })) {
        problem("state", "\"\(state)\" is not a state", expected: "a two-letter code such as CA, or nothing")
      }
      let userClass = value("user_class") ?? ""
      if userClass.isEmpty { problem("user_class", "empty", expected: "the class the zones name, such as permit R") }
      let from = date(value("valid_from") ?? "")
      let to = date(value("valid_to") ?? "")
      if from == nil {
        problem("valid_from", "\"\(value("valid_from") ?? "")\" is not a date", expected: "YYYY-MM-DD, a local date")
      }
      if to == nil {
        problem("valid_to", "\"\(value("valid_to") ?? "")\" is not a date", expected: "YYYY-MM-DD, a local date")
      }
      if let from, let to, to < from {
        problem("valid_to", "\(to) is before valid_from \(from)", expected: "the last day, on or after the first")
      }
      guard !bad, let from, let to else { continue }
      permits.append(
        Permit(plate: plate, state: state.uppercased(), userClass: userClass, validFrom: from, validTo: to))
    }
    guard problems.isEmpty else { throw refusal(file, problems) }
    return PermitList(permits: permits)
  }

  /// A `YYYY-MM-DD` date that exists.
  static func date(_ text: String) -> CivilDate? {
    guard text.count == 10, let date = CivilDate(iso: text), date.description == text,
      date.day <= CivilDate.daysIn(month: date.month, year: date.year)
    else { return nil }
    return date
  }

  /// The fields of one CSV line (RFC 4180 quoting: `"a, b"`, `""` for a quote).
  static func fields(of line: String) -> [String] {
    var fields: [String] = []
    var current = ""
    var quoted = false
    var iterator = Array(line).makeIterator()
    var pending: Character? = nil
    while let ch = pending ?? iterator.next() {
      pending = nil
      if quoted {
        if ch == "\"" {
          if let next = iterator.next() {
            if next == "\"" {
              current.append("\"")
            } else {
              quoted = false
              pending = next
            }
          } else {
            quoted = false
          }
        } else {
          current.append(ch)
        }
      } else if ch == "," {
        fields.append(current)
        current = ""
      } else if ch == "\"" && current.isEmpty {
        quoted = true
      } else {
        current.append(ch)
      }
    }
    fields.append(current)
    return fields
  }

  /// Counts per class: all, valid on `today`, expired before it, not yet valid.
  public func counts(on today: CivilDate) -> [(userClass: String, total: Int, valid: Int, expired: Int, future: Int)] {
    var byClass: [String: (Int, Int, Int, Int)] = [:]
    for permit in Set(permits) {
      var c = byClass[permit.userClass] ?? (0, 0, 0, 0)
      c.0 += 1
      if permit.validTo < today { c.2 += 1 } else if permit.validFrom > today { c.3 += 1 } else { c.1 += 1 }
      byClass[permit.userClass] = c
    }
    return byClass.keys.sorted().map { key in
      let c = byClass[key]!
      return (key, c.0, c.1, c.2, c.3)
    }
  }
}
