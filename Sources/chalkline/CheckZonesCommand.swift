// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ArgumentParser
import ChalklineModel
import Enforcement
import Foundation

/// `chalkline check-zones ZONES [POLICIES] [--periods FILE]`: validates curb rules as a city
/// publishes them (the Curbs API's zones and policies responses, or the one-document form) and
/// says in words what each zone's signs are taken to mean.
struct CheckZonesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check-zones",
    abstract:
      "Check curb rules (CDS zones and policies responses); list every problem as FILE:LINE: KEY: problem (expected …).",
    discussion: """
      On success, prints one line per zone describing its rules, lowest priority first, for \
      comparison with the street signs. Exit status: 0 valid, 1 invalid, 2 unreadable.
      """
  )

  @Argument(help: "The zones file: a CDS /curbs/zones response, or the one-document form.")
  var zones: String

  @Argument(help: "The CDS /curbs/policies response, when the zones file does not carry the policies.")
  var policies: String?

  @Option(help: "The designated-periods (holidays) document the policies' time spans name.")
  var periods: String?

  @Flag(help: "Print machine-readable JSON.")
  var json = false

  func run() throws {
    do {
      let set = try ZonesFileLoader.load(
        zones: URL(fileURLWithPath: zones), policies: policies.map(URL.init(fileURLWithPath:)),
        periods: periods.map(URL.init(fileURLWithPath:)))
      // No watch list by rules, curb-sized zones, no limit under the floor.
      let documents = [zones] + (policies.map { [$0] } ?? [])
      try ZoneRuleCheck.check(
        set, sources: try documents.map { (try Data(contentsOf: URL(fileURLWithPath: $0)), $0) })
      let lines = set.zones.map { ZoneSummaryLine(id: $0.id.rawValue, summary: ZoneSummary.line(for: $0, in: set)) }
      if json {
        try printJSON(
          ZonesCheckReport(file: zones, valid: true, timeZone: set.timeZone.identifier, zones: lines, problems: []))
      } else {
        print(
          "\(zones): valid, \(set.zones.count) zone(s), \(set.policies.count) policy(ies), time zone \(set.timeZone.identifier)"
            + (set.periodsVersion.map { ", periods version \($0)" } ?? ""))
        for line in lines { print("  \(line.summary)") }
      }
    } catch let error as FileRefusal {
      if json {
        // The shape check-profile prints, naming the file when it is the policies or periods one.
        let problems = error.problems.map { ProfileCheckReport.Problem($0, profile: zones) }
        try printJSON(
          ZonesCheckReport(
            file: zones, valid: false, error: error.message, timeZone: nil, zones: [], problems: problems))
      } else {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
      }
      throw ExitCode(error.code == .unreadable ? 2 : 1)
    }
  }

  private func printJSON(_ report: ZonesCheckReport) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    print(String(decoding: try encoder.encode(report), as: UTF8.self))
  }
}

/// The `--json` output of `check-zones`.
private struct ZonesCheckReport: Encodable {
  var file: String
  var valid: Bool
  var error: String?
  var timeZone: String?
  var zones: [ZoneSummaryLine]
  var problems: [ProfileCheckReport.Problem]
}

private struct ZoneSummaryLine: Encodable {
  var id: String
  var summary: String
}
