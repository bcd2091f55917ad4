// SPDX-License-Identifier: AGPL-3.0-or-later
import ArgumentParser
import ChalklineModel
import Enforcement
import Foundation
import Hub
import HubDevTools
import Wire

/// `chalkline-hub permits import|show`: the city's residential permit list.
struct Permits: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The residential permit list vehicles hold as keyed hashes.", subcommands: [Import.self, Show.self])

  struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Replace the permit list with the permit office's CSV export and publish it to vehicles.",
      discussion: """
        FILE.csv: a header line, then plate,state,user_class,valid_from,valid_to (local dates in the \
        zones' time zone, both inclusive; state may be empty; other columns are ignored). A file with \
        any bad line changes nothing; every bad line is listed as FILE:LINE: column: problem (expected …).
        """)
    @OptionGroup var options: ConfigOption
    @Argument(help: "The permit office's export (CSV).") var file: String

    func run() async throws {
      let service = try HubService(configuration: options.load(), logger: makeLogger())
      guard let data = FileManager.default.contents(atPath: file) else {
        throw ValidationError("\(file) cannot be read.")
      }
      let report: PermitImportReport
      do {
        report = try await service.importPermits(csv: data, file: file, actor: "operator:\(operatorName())")
      } catch let error as FileRefusal {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(1)
      }
      for userClass in report.countsByClass.keys.sorted() {
        print("\(userClass)\t\(report.countsByClass[userClass]!) permit(s)")
      }
      if let version = report.publishedVersion {
        print(
          "published permits version \(version) (\(report.documentBytes) bytes, sealed to \(report.devices) device(s))")
      } else {
        print("imported; not published yet: no device is registered (chalkline-hub devices add)")
      }
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print the permit list's counts per class and validity (never plates).")
    @OptionGroup var options: ConfigOption

    func run() async throws {
      let service = try HubService(configuration: options.load(), logger: makeLogger())
      let zone = try await service.zonesTimeZone()
      let today = LocalClock(timeZone: zone).moment(Date()).date
      guard let counts = try service.permitCounts(on: today) else {
        print("no permit list imported (chalkline-hub permits import --config HUB.json FILE.csv)")
        return
      }
      print("class\ttotal\tvalid today (\(today), \(zone.identifier))\texpired\tnot yet valid")
      for row in counts { print("\(row.userClass)\t\(row.total)\t\(row.valid)\t\(row.expired)\t\(row.future)") }
      if let latest = try await service.storage.latestDocument(.permits) {
        print(
          "published: permits version \(latest.version), \(latest.body.count) bytes, \(UTCTime.format(latest.issuedAt))"
        )
      }
    }
  }
}

/// `chalkline-hub bench-permits`: import and publication of a synthetic city's permit list.
struct BenchPermits: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-permits",
    abstract: "Import and publish a synthetic permit list on a scratch hub and print time and document size.")
  @Option(help: "Permits in the list.") var permits = 100_000
  @Option(help: "Registered devices the permit key is sealed to.") var devices = 50

  func run() async throws {
    for figure in try await PermitBenchmark.run(permits: permits, devices: devices) {
      print("\(figure.metric)\t\(String(format: "%.1f", figure.value))\t\(figure.unit)")
    }
  }
}

/// Who runs the command, for the audit (the login behind sudo when there is one).
func operatorName() -> String {
  let environment = ProcessInfo.processInfo.environment
  return environment["SUDO_USER"] ?? environment["USER"] ?? "unknown"
}
