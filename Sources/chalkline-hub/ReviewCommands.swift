// SPDX-License-Identifier: AGPL-3.0-or-later
import ArgumentParser
import ChalklineModel
import Foundation
import Hub
import HubDevTools

struct Export: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Export accepted and corrected candidates for the city's ticketing system (audited).")
  @OptionGroup var options: ConfigOption
  @OptionGroup var accountability: Accountability
  @Option(help: "csv or json.") var format: String = "csv"
  @Option(help: "Only decisions made on or after this day (YYYY-MM-DD, UTC) or time (ISO 8601).") var since: String?
  @Option(help: "Write to this file instead of standard output.") var out: String?

  func validate() throws {
    guard ReviewExportFormat(rawValue: format) != nil else { throw ValidationError("--format must be csv or json.") }
    if let since, Self.parse(since) == nil {
      throw ValidationError("--since must be a day (2026-03-01) or an ISO 8601 time.")
    }
  }

  static func parse(_ text: String) -> Date? { UTCTime.parse(text) ?? UTCTime.parse(text + "T00:00:00Z") }

  func run() async throws {
    let review = ReviewService(hub: try HubService(configuration: options.load(), logger: makeLogger()))
    let (data, count) = try await review.export(
      actor: accountability.who, purpose: accountability.purpose, format: ReviewExportFormat(rawValue: format) ?? .csv,
      since: since.flatMap(Self.parse))
    if let out {
      try data.write(to: URL(fileURLWithPath: out))
      print("exported \(count) candidate(s) to \(out)")
    } else {
      FileHandle.standardOutput.write(data)
    }
  }
}

struct ExportCorrections: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export-corrections",
    abstract: "Write corrected candidates' plate crops and the officers' text for retraining (audited).")
  @OptionGroup var options: ConfigOption
  @OptionGroup var accountability: Accountability
  @Option(help: "Directory to write CANDIDATE-ID.jpg files and groundtruth.csv into.") var out: String

  func run() async throws {
    let review = ReviewService(hub: try HubService(configuration: options.load(), logger: makeLogger()))
    let count = try await review.exportCorrections(
      actor: accountability.who, purpose: accountability.purpose, to: URL(fileURLWithPath: out))
    print("exported \(count) corrected plate crop(s) to \(out)")
  }
}

struct BenchReview: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-review",
    abstract: "Measure the review queue page with many pending candidates on a scratch hub and print the figures.")
  @Option(help: "Pending candidates.") var pending = 10_000
  @Option(help: "Fetches of each measured page.") var repeats = 20

  func run() async throws {
    for figure in try await ReviewBenchmark.run(pending: pending, repeats: repeats) {
      print("\(figure.metric)\t\(String(format: "%.1f", figure.value))\t\(figure.unit)")
    }
  }
}
