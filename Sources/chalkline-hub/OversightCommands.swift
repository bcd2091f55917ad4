// SPDX-License-Identifier: AGPL-3.0-or-later
import ArgumentParser
import Foundation
import Hub
import HubDevTools
import HubOversight
import Logging

/// Opens the hub database as oversight reads it, migrating it first through the hub's storage
/// (whose migrator owns the schema); the storage, keyed for the audit chain, is returned too.
func openOversight(_ configuration: HubConfiguration) throws -> (any HubStorage, OversightDatabase) {
  let service = try HubService(configuration: configuration, logger: makeLogger())
  return (service.storage, try OversightDatabase(path: configuration.database))
}

/// Opens the hub database for commands that write no audit (no hub keys needed), migrated first.
func openOversightDatabase(_ configuration: HubConfiguration) throws -> OversightDatabase {
  _ = try SQLiteHubStorage(path: configuration.database)
  return try OversightDatabase(path: configuration.database)
}

/// The access-audit writer retention uses: one chained entry per run, through the hub's storage,
/// by the operating-system user who ran it (or `hub` for the daily job of `serve`).
func retentionAuditor(
  _ storage: any HubStorage, asOf label: String? = nil, actor: String = "hub", purpose: String = "daily retention"
) -> RetentionAuditor {
  { summary in
    try await storage.audit(
      actor: actor, purpose: purpose, action: "retention.run",
      detail: summary.detail + (label.map { " as_of=\($0)" } ?? ""), outcome: "allowed", at: Date())
  }
}

/// The daily job `serve` runs beside its server: retention at start and every 24 hours, audited,
/// each run followed by deleting the retired HPKE keys no held evidence needs.
func dailyRetention(configuration: HubConfiguration, service: HubService, logger: Logger) async {
  guard configuration.retention.daily else { return }
  do {
    let database = try OversightDatabase(path: configuration.database)
    await HubRetention.runDaily(
      database: database, policy: configuration.retention, logger: logger, audit: retentionAuditor(service.storage),
      onRun: { _ in
        do { try await service.pruneRetiredKeys() } catch {
          logger.error("Retired keys cannot be pruned.", metadata: ["error": "\(error)"])
        }
      })
  } catch {
    logger.error("Daily retention cannot open the hub database.", metadata: ["error": "\(error)"])
  }
}

struct Report: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write the annual data usage report (report.html and CSV files) for a calendar year.")
  @OptionGroup var options: ConfigOption
  @Option(help: "The calendar year (America/Los_Angeles).") var year: Int
  @Option(help: "Census tracts: TIGER/Line-style GeoJSON with GEOID and NAMELSAD.") var tracts: String
  @Option(help: "The directory to write into.") var out: String
  @Option(help: "Side of a read grid cell, metres.") var cellMeters = 250.0

  func run() async throws {
    let configuration = try options.load()
    let (storage, database) = try openOversight(configuration)
    let tractSet = try CensusTracts(contentsOf: tracts)
    let clock = ContinuousClock()
    let start = clock.now
    let report = try await AnnualReport.build(
      from: database, year: year, tracts: tractSet, grid: ReadGrid(cellMeters: cellMeters))
    let files = try report.write(to: URL(fileURLWithPath: out))
    let elapsed = clock.now - start
    try await storage.audit(
      actor: OperatorIdentity.current, purpose: "annual data usage report", action: "report.annual",
      detail: "year=\(year) candidates=\(report.candidates) files=\(files.count)", outcome: "allowed", at: Date())
    let sizes = files.map { (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? Int) ?? 0 }
    let rate = report.accuracy.overall.acceptanceRate.map { String(format: "%.3f", $0) } ?? "n/a"
    print("report.year\t\(year)")
    print("report.candidates\t\(report.candidates)")
    print("report.violations\t\(report.violations)")
    print("report.acceptance_rate\t\(rate)")
    print("report.reads\t\(report.reads)")
    print("report.tracts_with_violations\t\(report.tractsWithViolations) of \(tractSet.tracts.count)")
    print("report.grid_cells\t\(report.cells.count)")
    print(
      "report.build_seconds\t\(String(format: "%.2f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))"
    )
    print("report.html_bytes\t\(sizes.first ?? 0)")
    print("report.total_bytes\t\(sizes.reduce(0, +))")
    for file in files { print("wrote \(file.path)") }
  }
}

struct Outcomes: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Accepted, corrected, rejected and pending counts, overall, per device and per zone.")
  @OptionGroup var options: ConfigOption
  @Flag(help: "Print JSON instead of a table.") var json = false
  @Option(help: "Only candidates last seen in this calendar year (America/Los_Angeles).") var year: Int?

  func run() async throws {
    let database = try openOversightDatabase(try options.load())
    let interval = year.map { AnnualReport.interval(year: $0, timeZone: TimeZone(identifier: "America/Los_Angeles")!) }
    let statistics = try await OutcomeStatistics.load(from: database, interval: interval)
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      encoder.keyEncodingStrategy = .convertToSnakeCase
      print(String(decoding: try encoder.encode(statistics), as: UTF8.self))
    } else {
      print(statistics.text)
    }
  }
}

struct Retention: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Delete the evidence retention says is due (closed citations after 5 years, unclosed ones 7 years after acceptance)."
  )
  @OptionGroup var options: ConfigOption
  @Flag(help: "Count what is due; delete nothing.") var dryRun = false
  @Option(help: "Take this date (YYYY-MM-DD or ISO 8601) as now.") var now: String?
  @OptionGroup var accountability: Accountability

  func validate() throws {
    if let now, OversightDates.parse(now) == nil {
      throw ValidationError("--now \(now) is not YYYY-MM-DD or ISO 8601.")
    }
  }

  func run() async throws {
    let configuration = try options.load()
    let (storage, database) = try openOversight(configuration)
    let summary = try await HubRetention.run(
      database: database, policy: configuration.retention, now: now.flatMap(OversightDates.parse) ?? Date(),
      dryRun: dryRun, logger: makeLogger(),
      audit: retentionAuditor(storage, asOf: now, actor: accountability.who, purpose: accountability.purpose))
    print((dryRun ? "would delete: " : "deleted: ") + summary.detail)
    if !dryRun {
      let pruned = try await HubService(configuration: configuration, logger: makeLogger()).pruneRetiredKeys(
        now: now.flatMap(OversightDates.parse) ?? Date())
      if pruned > 0 { print("deleted \(pruned) retired HPKE key(s) no held evidence is sealed to") }
    }
  }
}

struct Citations: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Record when the ticketing system closed citation records (retention counts from then).",
    subcommands: [Close.self, Import.self])

  struct Close: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Record closures of candidates by id.")
    @OptionGroup var options: ConfigOption
    @Option(help: "When the records closed (YYYY-MM-DD or ISO 8601).") var closedAt: String
    @Argument(help: "Candidate ids.") var ids: [String]
    @OptionGroup var accountability: Accountability

    func run() async throws {
      guard let date = OversightDates.parse(closedAt) else {
        throw ValidationError("--closed-at \(closedAt) is not YYYY-MM-DD or ISO 8601.")
      }
      try await Citations.record(ids.map { .init(id: $0, closedAt: date) }, options, accountability, via: "close")
    }
  }

  struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Record closures from the ticketing system's CSV (candidate_id[,closed_at]).")
    @OptionGroup var options: ConfigOption
    @Option(help: "The CSV file.") var csv: String
    @Option(help: "The date for rows without closed_at.") var closedAt: String?
    @OptionGroup var accountability: Accountability

    func run() async throws {
      guard let text = try? String(contentsOfFile: csv, encoding: .utf8) else {
        throw ValidationError("\(csv) cannot be read as UTF-8 text.")
      }
      let closures = try CitationClosures.parseCSV(text, defaultClosedAt: closedAt.flatMap(OversightDates.parse))
      try await Citations.record(closures, options, accountability, via: "import \(csv)")
    }
  }

  static func record(
    _ closures: [CitationClosures.Closure], _ options: ConfigOption, _ accountability: Accountability, via: String
  ) async throws {
    let (storage, database) = try openOversight(try options.load())
    let result = try await CitationClosures.record(closures, in: database)
    try await storage.audit(
      actor: accountability.who, purpose: accountability.purpose, action: "citations.close",
      detail:
        "via=\(via) closed=\(result.closed) unknown=\(result.unknown.count) not_cited=\(result.notCited.count)",
      outcome: "allowed", at: Date())
    print("recorded \(result.closed) closures")
    for id in result.unknown { print("unknown candidate \(id)") }
    for id in result.notCited { print("not accepted, no citation: \(id)") }
    if !result.unknown.isEmpty || !result.notCited.isEmpty { throw ExitCode(1) }
  }
}

struct GenerateYear: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "generate-year",
    abstract: "Fill a scratch hub database with a plausible year (devices, candidates, decisions, hourly reads).")
  @OptionGroup var options: ConfigOption
  @Option(help: "The calendar year.") var year: Int
  @Option(help: "The seed (the same seed gives the same year).") var seed: UInt64 = 1
  @Option(help: "Candidates to make.") var candidates = 5_000
  @Option(help: "Also write the synthetic downtown San José tract GeoJSON here.") var tractsOut: String?

  func run() async throws {
    let database = try openOversightDatabase(try options.load())
    let clock = ContinuousClock()
    let start = clock.now
    let result = try await YearGenerator(year: year, seed: seed, candidates: candidates).fill(database)
    print("generated.candidates\t\(result.candidates)")
    print("generated.violations\t\(result.violations)")
    print("generated.pending\t\(result.pending)")
    print("generated.aggregates\t\(result.aggregates)")
    print("generated.reads\t\(result.reads)")
    print("generated.seconds\t\((clock.now - start).components.seconds)")
    if let tractsOut {
      try SyntheticTracts.geoJSON.write(to: URL(fileURLWithPath: tractsOut))
      print("wrote \(tractsOut) (synthetic tracts, not Census Bureau data)")
    }
  }
}
