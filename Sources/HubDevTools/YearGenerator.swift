// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import GRDB
import HubOversight

/// Fills a scratch hub database with a plausible year, for figures and tests: a few devices
/// patrolling zones across downtown San José (nine in ten inside `SyntheticTracts`) six days
/// a week, 08:00–18:00 local; hourly read counts per device and zone; candidates with two
/// sightings, placeholder sealed evidence and a plate-free manifest; and officer decisions —
/// mostly accepted, some corrected, some rejected for each reason, the last days still pending,
/// and most citations closed a few months after acceptance. The same seed gives the same year.
///
/// Candidates are written with SQL in the shape the hub's ingest stores, not through ingest:
/// their manifests are unsigned and their evidence is random bytes (nothing to open), which is
/// all oversight reads. Use a scratch database: it refuses one that already holds candidates.
public struct YearGenerator: Sendable {
  /// The calendar year (America/Los_Angeles).
  public var year: Int
  /// The seed.
  public var seed: UInt64
  /// Candidates to make.
  public var candidates: Int
  /// Devices (vehicles).
  public var devices: Int
  /// Zones.
  public var zones: Int

  /// Creates a generator.
  public init(year: Int, seed: UInt64, candidates: Int = 5_000, devices: Int = 3, zones: Int = 40) {
    self.year = year
    self.seed = seed
    self.candidates = candidates
    self.devices = devices
    self.zones = zones
  }

  /// What was written.
  public struct Result: Sendable, Equatable {
    /// Candidates.
    public var candidates = 0
    /// Of those, accepted or corrected.
    public var violations = 0
    /// Of those, still pending.
    public var pending = 0
    /// Aggregate rows (device, hour, zone).
    public var aggregates = 0
    /// Plates read.
    public var reads = 0
  }

  struct Slot: Hashable {
    var device: Int
    var hour: Date
    var zone: Int
  }

  /// Writes the year into `database` in one transaction.
  public func fill(_ database: OversightDatabase) async throws -> Result {
    let generator = self
    return try await database.write("generating a year") { db in
      guard try Int.fetchOne(db, sql: "SELECT count(*) FROM candidate") == 0 else {
        throw OversightError(.input, "generate-year writes into a scratch hub database; this one holds candidates.")
      }
      return try generator.write(db)
    }
  }

  func write(_ db: Database) throws -> Result {
    var random = SeededGenerator(seed: seed)
    let timeZone = TimeZone(identifier: "America/Los_Angeles")!
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = timeZone
    let interval = AnnualReport.interval(year: year, timeZone: timeZone)
    // Working hours: Monday to Saturday, 08:00 to 18:00 local.
    var hours: [Date] = []
    var day = interval.start
    while day < interval.end {
      if calendar.component(.weekday, from: day) != 1 {
        for h in 8..<18 { hours.append(calendar.date(bySettingHour: h, minute: 0, second: 0, of: day)!) }
      }
      day = calendar.date(byAdding: .day, value: 1, to: day)!
    }
    let deviceIDs = (0..<devices).map { _ in random.bytes(32).hex }
    for (n, id) in deviceIDs.enumerated() {
      try db.execute(
        sql: "INSERT INTO device (id, name, certificate_sha256, signing_key, registered_at) VALUES (?, ?, ?, ?, ?)",
        arguments: [
          id, "truck-\(n + 1)", random.bytes(32).hex, random.bytes(32),
          HubTime.milliseconds(interval.start) - 86_400_000,
        ])
    }
    // Zones: nine in ten inside the tract grid (some may fall in the centre tract's hole), every
    // tenth just east of it, outside every tract.
    let span = (lat: SyntheticTracts.north - SyntheticTracts.south, lon: SyntheticTracts.east - SyntheticTracts.west)
    let zonePlaces = (0..<zones).map { n in
      let latitude = SyntheticTracts.south + Double.random(in: 0.03...0.97, using: &random) * span.lat
      let longitude =
        n % 10 == 9
        ? SyntheticTracts.east + Double.random(in: 0.002...0.008, using: &random)
        : SyntheticTracts.west + Double.random(in: 0.03...0.97, using: &random) * span.lon
      return GeoPoint(latitude: latitude, longitude: longitude)
    }
    let zoneWeights = (0..<zones).map { _ in Double.random(in: 0.2...1, using: &random) }
    func pickZone() -> Int {
      var r = Double.random(in: 0..<zoneWeights.reduce(0, +), using: &random)
      for (i, w) in zoneWeights.enumerated() {
        if r < w { return i }
        r -= w
      }
      return zones - 1
    }
    // Hourly reads: each device patrols three zones an hour.
    var slots: [Slot: (reads: Int, candidates: Int)] = [:]
    for hour in hours {
      for device in 0..<devices {
        for _ in 0..<3 {
          slots[Slot(device: device, hour: hour, zone: pickZone()), default: (0, 0)].reads += Int.random(
            in: 10...60, using: &random)
        }
      }
    }
    var result = Result()
    let reviewers = ["officer1", "officer2"]
    let pendingFrom = interval.end.addingTimeInterval(-10 * 86_400)
    for _ in 0..<candidates {
      let device = Int.random(in: 0..<devices, using: &random)
      let zone = pickZone()
      let hour = hours[Int.random(in: 0..<hours.count, using: &random)]
      let slot = Slot(device: device, hour: hour, zone: zone)
      slots[slot, default: (Int.random(in: 10...60, using: &random), 0)].candidates += 1
      let last = hour.addingTimeInterval(Double.random(in: 0..<3_600, using: &random))
      let elapsed = Double.random(in: 7_200...14_400, using: &random)
      let first = last.addingTimeInterval(-elapsed)
      let place = zonePlaces[zone]
      let jitter = { (random: inout SeededGenerator) in Double.random(in: -0.0003...0.0003, using: &random) }
      let lastPoint = GeoPoint(latitude: place.latitude + jitter(&random), longitude: place.longitude + jitter(&random))
      let firstPoint = GeoPoint(latitude: lastPoint.latitude + 0.00002, longitude: lastPoint.longitude)
      let id = random.uuid().uuidString
      let received = HubTime.milliseconds(last) + Int64.random(in: 5_000...600_000, using: &random)
      let rule = Double.random(in: 0..<1, using: &random) < 0.15 ? "permit" : "max_stay"
      var sightings: [[String: Any]] = []
      var evidence: [StatementArguments] = []
      for (position, (time, point)) in [(first, firstPoint), (last, lastPoint)].enumerated() {
        let evidenceID = random.uuid().uuidString
        let plate = random.bytes(32)
        let vehicle = random.bytes(32)
        evidence.append([
          id, position, evidenceID, HubTime.format(time), plate, vehicle, random.bytes(32), random.bytes(96),
        ])
        sightings.append([
          "time": HubTime.format(time), "latitude": point.latitude, "longitude": point.longitude,
          "uncertainty_m": 4.5, "evidence_id": evidenceID, "plate_sha256": plate.hex,
          "vehicle_sha256": vehicle.hex, "sealed_sha256": random.bytes(32).hex,
        ])
      }
      let confidence = Double.random(in: 0.6...0.99, using: &random)
      let manifest: [String: Any] = [
        "version": 1, "id": id, "device": deviceIDs[device], "rule": rule, "zone": "gen-zone-\(zone)",
        "decided_at": HubTime.format(last), "sightings": sightings, "read_confidence": confidence,
      ]
      let manifestBytes = try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys])
      // The last device reads worst: more misreads and corrections.
      let misreadBias = device == devices - 1 && devices > 1 ? 0.08 : 0
      let r = Double.random(in: 0..<1, using: &random)
      let outcome: ReviewOutcome =
        last >= pendingFrom
        ? .pending : r < 0.06 + misreadBias / 2 ? .corrected : r < 0.78 - misreadBias ? .accepted : .rejected
      try db.execute(
        sql: """
          INSERT INTO candidate (id, device_id, rule, zone, decided_at, manifest, signature, manifest_sha256,
            first_time, first_latitude, first_longitude, first_uncertainty_m,
            last_time, last_latitude, last_longitude, last_uncertainty_m,
            elapsed_s, distance_m, read_confidence, received_at, review_state)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          id, deviceIDs[device], rule, "gen-zone-\(zone)", HubTime.format(last), manifestBytes, random.bytes(64),
          random.bytes(32).hex, HubTime.format(first), firstPoint.latitude, firstPoint.longitude, 4.5,
          HubTime.format(last), lastPoint.latitude, lastPoint.longitude, 4.5, elapsed, 2.2, confidence, received,
          outcome.rawValue,
        ])
      for arguments in evidence {
        try db.execute(
          sql: """
            INSERT INTO evidence (candidate_id, position, id, captured_at, plate_sha256, vehicle_sha256,
              encapsulated_key, ciphertext) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: arguments)
      }
      result.candidates += 1
      guard outcome != .pending else {
        result.pending += 1
        continue
      }
      let decided = received + Int64.random(in: 3_600_000...172_800_000, using: &random)
      var reason = ""
      if outcome == .rejected {
        let q = Double.random(in: 0..<1, using: &random) - misreadBias
        reason = q < 0.4 ? "misread" : q < 0.7 ? "moved" : q < 0.9 ? "has permit" : "other"
      }
      var closed: Int64?
      if outcome.isViolation {
        result.violations += 1
        if Double.random(in: 0..<1, using: &random) < 0.8 {
          closed = decided + Int64.random(in: 30...120, using: &random) * 86_400_000
        }
      }
      try db.execute(
        sql: """
          INSERT INTO review_decision (candidate_id, outcome, reason, corrected_text, reviewer, decided_at,
            exported_at, citation_closed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          id, outcome.rawValue, reason, outcome == .corrected ? random.bytes(48) : nil,
          reviewers[Int.random(in: 0..<2, using: &random)], decided, outcome.isViolation ? decided + 60_000 : nil,
          closed,
        ])
    }
    for (slot, counts) in slots {
      try db.execute(
        sql: """
          INSERT INTO aggregate (device_id, hour, area_kind, area, reads, chalk_marks, candidates, received_at)
          VALUES (?, ?, 'zone', ?, ?, ?, ?, ?)
          """,
        arguments: [
          deviceIDs[slot.device], HubTime.format(slot.hour), "gen-zone-\(slot.zone)", counts.reads, counts.reads / 2,
          counts.candidates, HubTime.milliseconds(slot.hour) + 3_600_000,
        ])
      result.aggregates += 1
      result.reads += counts.reads
    }
    return result
  }
}
