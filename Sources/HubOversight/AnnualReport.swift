// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB

/// The annual data usage report for the City Privacy Officer: violations by census tract, reads
/// by location (plate-free grid cells), review accuracy and device usage for one calendar year.
/// It is built from plate-free columns only (places, times, zones, outcomes, reasons mapped to
/// the fixed list, counts); no plate text, digest, candidate id or officer note is read into it.
public struct AnnualReport: Sendable {
  /// Counts for one census tract (or, with GEOID `outside`, for places outside every tract).
  public struct TractRow: Sendable, Equatable {
    /// The tract GEOID, or `outside`.
    public var geoid: String
    /// The tract name.
    public var name: String
    /// Accepted and corrected candidates whose last sighting is in the tract.
    public var violations = 0
    /// Every candidate whose last sighting is in the tract.
    public var candidates = 0
    /// Rejected candidates in the tract.
    public var rejected = 0
    /// Plates read in the tract: zone counts placed in it, and counts devices reported by tract.
    public var reads = 0
  }

  /// Counts for one grid cell.
  public struct CellRow: Sendable, Equatable {
    /// The cell.
    public var cell: GridCell
    /// Plates read in zones placed in the cell.
    public var reads = 0
    /// Candidates whose last sighting is in the cell.
    public var candidates = 0
    /// Violations whose last sighting is in the cell.
    public var violations = 0
    /// Whether the cell had a violation this year.
    public var hadViolation: Bool { violations > 0 }
  }

  /// One device's use of the system.
  public struct DeviceUsage: Sendable, Equatable {
    /// The device id (its key's fingerprint).
    public var id: String
    /// Its registered name.
    public var name: String
    /// Local calendar days on which it read a plate or flagged a candidate.
    public var daysActive = 0
    /// Plates it read.
    public var reads = 0
    /// Candidates it flagged.
    public var candidates = 0
    /// Of those, violations.
    public var violations = 0
  }

  /// The calendar year.
  public var year: Int
  /// The time zone the year and its months are taken in.
  public var timeZone: TimeZone
  /// Every tract of the tract file, in file order, then the `outside` row.
  public var tracts: [TractRow]
  /// Grid cells that had a read or a candidate, south to north, west to east.
  public var cells: [CellRow]
  /// Violations per month, January first.
  public var violationsByMonth: [Int]
  /// Plates read per month, January first.
  public var readsByMonth: [Int]
  /// Review outcomes of the year's candidates.
  public var accuracy: OutcomeStatistics
  /// Devices that were active in the year or are registered.
  public var devices: [DeviceUsage]
  /// Zones by how they were placed on the map.
  public var zonesPlacedBy: [ZonePlaces.Source: Int]
  /// Reads in zones with no known place, and reads reported for tracts not in the tract file.
  public var unplacedReads: Int
  /// The tract outlines, for the plot.
  public var tractOutlines: CensusTracts
  /// The grid the cells belong to.
  public var grid: ReadGrid

  /// Candidates in the year.
  public var candidates: Int { accuracy.overall.decided + accuracy.overall.pending }
  /// Violations in the year.
  public var violations: Int { accuracy.overall.violations }
  /// Plates read in the year.
  public var reads: Int { readsByMonth.reduce(0, +) }
  /// Tracts with at least one violation.
  public var tractsWithViolations: Int { tracts.filter { $0.geoid != "outside" && $0.violations > 0 }.count }

  /// The calendar year `year` in `timeZone`.
  public static func interval(year: Int, timeZone: TimeZone) -> DateInterval {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let start = calendar.date(from: DateComponents(year: year, month: 1, day: 1))!
    let end = calendar.date(from: DateComponents(year: year + 1, month: 1, day: 1))!
    return DateInterval(start: start, end: end)
  }

  /// Builds the report for `year` from the hub database. A candidate belongs to the year of its
  /// last sighting; an aggregate to the year of its hour.
  public static func build(
    from database: OversightDatabase, year: Int, tracts: CensusTracts, grid: ReadGrid = ReadGrid(),
    timeZone: TimeZone = TimeZone(identifier: "America/Los_Angeles")!
  ) async throws -> AnnualReport {
    let interval = Self.interval(year: year, timeZone: timeZone)
    let (all, names, places, aggregates) = try await database.read("reading the year for the report") { db in
      let all = try CandidateFacts.loadAll(db)
      let places = try ZonePlaces.load(db, candidates: all)
      let aggregates = try Row.fetchAll(
        db, sql: "SELECT device_id, hour, area_kind, area, reads FROM aggregate WHERE reads > 0"
      ).compactMap { row -> AggregateFacts? in
        guard let hour = UTCTime.parse(row["hour"] as String), interval.contains(hour) else { return nil }
        return AggregateFacts(
          device: row["device_id"], hour: hour, areaKind: row["area_kind"], area: row["area"], reads: row["reads"])
      }
      return (all, try CandidateFacts.deviceNames(db), places, aggregates)
    }
    let facts = all.filter { interval.contains($0.lastTime) }
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone

    var tractRows = tracts.tracts.map { TractRow(geoid: $0.geoid, name: $0.name) }
    tractRows.append(TractRow(geoid: "outside", name: "Outside every tract"))
    let tractIndex = Dictionary(tracts.tracts.enumerated().map { ($1.geoid, $0) }, uniquingKeysWith: { a, _ in a })
    func tractRow(_ point: GeoPoint) -> Int {
      tracts.tracts.firstIndex { $0.contains(point) } ?? tracts.tracts.count
    }
    var cells: [GridCell: CellRow] = [:]
    var byMonth = [Int](repeating: 0, count: 12)
    var readsByMonth = [Int](repeating: 0, count: 12)
    var usage: [String: DeviceUsage] = [:]
    var activeDays: [String: Set<DateComponents>] = [:]
    func month(_ date: Date) -> Int { calendar.component(.month, from: date) - 1 }
    func day(_ date: Date) -> DateComponents { calendar.dateComponents([.year, .month, .day], from: date) }

    for fact in facts {
      let t = tractRow(fact.last)
      let cell = grid.cell(for: fact.last)
      tractRows[t].candidates += 1
      cells[cell, default: CellRow(cell: cell)].candidates += 1
      usage[fact.device, default: DeviceUsage(id: fact.device, name: names[fact.device] ?? fact.device)]
        .candidates += 1
      activeDays[fact.device, default: []].insert(day(fact.lastTime))
      if fact.outcome == .rejected { tractRows[t].rejected += 1 }
      if fact.outcome.isViolation {
        tractRows[t].violations += 1
        cells[cell, default: CellRow(cell: cell)].violations += 1
        byMonth[month(fact.lastTime)] += 1
        usage[fact.device]?.violations += 1
      }
    }
    var unplaced = 0
    var zoneTract: [String: Int] = [:]
    for aggregate in aggregates {
      readsByMonth[month(aggregate.hour)] += aggregate.reads
      usage[
        aggregate.device, default: DeviceUsage(id: aggregate.device, name: names[aggregate.device] ?? aggregate.device)
      ]
      .reads += aggregate.reads
      activeDays[aggregate.device, default: []].insert(day(aggregate.hour))
      if aggregate.areaKind == "tract" {
        if let t = tractIndex[aggregate.area] {
          tractRows[t].reads += aggregate.reads
        } else {
          unplaced += aggregate.reads
        }
      } else if let place = places.places[aggregate.area]?.point {
        let t = zoneTract[aggregate.area] ?? tractRow(place)
        zoneTract[aggregate.area] = t
        tractRows[t].reads += aggregate.reads
        let cell = grid.cell(for: place)
        cells[cell, default: CellRow(cell: cell)].reads += aggregate.reads
      } else {
        unplaced += aggregate.reads
      }
    }
    for (id, name) in names where usage[id] == nil { usage[id] = DeviceUsage(id: id, name: name) }
    for (id, days) in activeDays { usage[id]?.daysActive = days.count }
    var placedBy: [ZonePlaces.Source: Int] = [:]
    for (_, place) in places.places { placedBy[place.source, default: 0] += 1 }

    return AnnualReport(
      year: year, timeZone: timeZone, tracts: tractRows, cells: cells.values.sorted { $0.cell < $1.cell },
      violationsByMonth: byMonth, readsByMonth: readsByMonth,
      accuracy: OutcomeStatistics.compute(facts, deviceNames: names),
      devices: usage.values.sorted { ($0.name, $0.id) < ($1.name, $1.id) }, zonesPlacedBy: placedBy,
      unplacedReads: unplaced, tractOutlines: tracts, grid: grid)
  }

  /// Writes `report.html` and the CSV files into `directory` (created if needed); returns the
  /// files written.
  @discardableResult
  public func write(to directory: URL) throws -> [URL] {
    do {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
      var written: [URL] = []
      for (name, text) in [("report.html", html)] + csvFiles {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url, options: .atomic)
        written.append(url)
      }
      return written
    } catch {
      throw OversightError(.input, "The report cannot be written to \(directory.path).", cause: error)
    }
  }
}

struct AggregateFacts: Sendable {
  var device: String
  var hour: Date
  var areaKind: String
  var area: String
  var reads: Int
}
