// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

extension AnnualReport {
  /// The CSV files, by name: tracts, grid cells, months, accuracy and device usage.
  public var csvFiles: [(name: String, text: String)] {
    [
      ("violations_by_tract.csv", tractsCSV), ("reads_by_cell.csv", cellsCSV), ("by_month.csv", monthsCSV),
      ("accuracy.csv", accuracyCSV), ("device_usage.csv", devicesCSV),
    ]
  }

  /// `geoid,name,violations,candidates,rejected,reads`, one row a tract, then `outside`.
  public var tractsCSV: String {
    CSV.table(
      ["geoid", "name", "violations", "candidates", "rejected", "reads"],
      tracts.map { [$0.geoid, $0.name, "\($0.violations)", "\($0.candidates)", "\($0.rejected)", "\($0.reads)"] })
  }

  /// One row a grid cell with reads or candidates: its corners, counts and `violation` yes/no.
  public var cellsCSV: String {
    CSV.table(
      ["cell", "south", "west", "north", "east", "reads", "candidates", "violations", "violation"],
      cells.map { row in
        let (sw, ne) = grid.bounds(of: row.cell)
        return [
          row.cell.id, CSV.degrees(sw.latitude), CSV.degrees(sw.longitude), CSV.degrees(ne.latitude),
          CSV.degrees(ne.longitude), "\(row.reads)", "\(row.candidates)", "\(row.violations)",
          row.hadViolation ? "yes" : "no",
        ]
      })
  }

  /// `month,violations,reads`, January to December.
  public var monthsCSV: String {
    CSV.table(
      ["month", "violations", "reads"],
      (0..<12).map { [String(format: "%04d-%02d", year, $0 + 1), "\(violationsByMonth[$0])", "\(readsByMonth[$0])"] })
  }

  /// Outcome counts overall, per device and per zone, with rejections by reason.
  public var accuracyCSV: String {
    let reasons = RejectionReason.allCases.map(\.rawValue)
    func row(_ group: String, _ key: String, _ name: String, _ c: OutcomeCounts) -> [String] {
      [group, key, name, "\(c.pending)", "\(c.accepted)", "\(c.corrected)", "\(c.rejected)"]
        + reasons.map { "\(c.rejectedByReason[$0] ?? 0)" } + [c.acceptanceRate.map { String(format: "%.4f", $0) } ?? ""]
    }
    return CSV.table(
      ["group", "key", "name", "pending", "accepted", "corrected", "rejected"]
        + reasons.map { "rejected_" + $0.replacingOccurrences(of: " ", with: "_") } + ["acceptance_rate"],
      [row("all", "all", "all", accuracy.overall)]
        + accuracy.byDevice.map { row("device", $0.key, $0.label, $0.counts) }
        + accuracy.byZone.map { row("zone", $0.key, $0.label, $0.counts) })
  }

  /// `device,name,days_active,reads,candidates,violations`.
  public var devicesCSV: String {
    CSV.table(
      ["device", "name", "days_active", "reads", "candidates", "violations"],
      devices.map { [$0.id, $0.name, "\($0.daysActive)", "\($0.reads)", "\($0.candidates)", "\($0.violations)"] })
  }
}

/// RFC 4180 CSV with CRLF line ends.
enum CSV {
  static func table(_ header: [String], _ rows: [[String]]) -> String {
    ([header] + rows).map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
  }

  static func field(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  static func degrees(_ value: Double) -> String { String(format: "%.6f", value) }
}
