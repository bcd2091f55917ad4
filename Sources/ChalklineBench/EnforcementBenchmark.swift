// SPDX-License-Identifier: AGPL-3.0-or-later
import Enforcement
import Foundation
import Logging

/// Measures the ledger on a synthetic city: 100,000 sightings against 1,000 zones.
///
/// 5,000 cars parked on a lattice of 1,000 block faces are passed 20 times, half an hour apart,
/// on a Monday from 08:00; a tenth of them move between passes, 3% have no fix and 4% fall
/// outside every zone. Each sighting carries three alternatives of 32-byte keys. Building the
/// sightings is not timed; deciding them, and expiring marks after each pass, is.
public enum EnforcementBenchmark {
  /// Runs the benchmark once and returns its figures.
  public static func run() -> [(metric: String, value: Double, unit: String)] {
    run(zoneCount: 1_000, cars: 5_000, passes: 20)
  }

  static func run(zoneCount: Int, cars: Int, passes: Int) -> [(metric: String, value: Double, unit: String)] {
    let zones = syntheticZones(count: zoneCount)
    var generator = SplitMix(seed: 42)
    // A verified list naming the permit class (with no holder among the cars), so the permit-only
    // policies are enforced as on a vehicle that synced.
    var ledger = ChalkLedger(
      zones: zones, permits: PermitRegistry(version: 1, classes: [UserClass("permit R")]),
      logger: Logger(label: "chalkline.bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    let start = LocalClock(timeZone: zones.timeZone).instants(
      dayNumber: CivilDate(year: 2026, month: 3, day: 2).dayNumber, secondOfDay: 8 * 3_600)[0]
    let window = KeyWindowSchedule(timeZone: zones.timeZone).window(at: start)

    // Each car: a spot, three readings' keys.
    var spots: [CurbPosition] = []
    var keys: [[PlateKey]] = []
    for _ in 0..<cars {
      spots.append(randomPosition(in: zones, using: &generator))
      keys.append(
        (0..<3).map { _ in
          PlateKey(window: window, bytes: (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        })
    }
    var sightings: [Sighting] = []
    sightings.reserveCapacity(cars * passes)
    for pass in 0..<passes {
      let passStart = start.addingTimeInterval(Double(pass) * 1_800)
      for car in 0..<cars {
        if Double.random(in: 0..<1, using: &generator) < 0.1 {
          spots[car] = randomPosition(in: zones, using: &generator)
        }
        let noFix = Double.random(in: 0..<1, using: &generator) < 0.03
        let alternatives = keys[car].enumerated().map {
          PlateAlternative(keys: [$1], confidence: [0.92, 0.55, 0.31][$0])
        }
        sightings.append(
          Sighting(
            time: passStart.addingTimeInterval(Double(car) * 1_500 / Double(cars)), position: noFix ? nil : spots[car],
            alternatives: alternatives, evidence: EvidenceID("bench-\(pass)-\(car)")))
      }
    }

    var counts: [String: Int] = [:]
    let clock = ContinuousClock()
    let cpuBefore = threadCPUSeconds()
    let elapsed = clock.measure {
      for (index, sighting) in sightings.enumerated() {
        let outcome = ledger.decide(sighting)
        switch outcome.decision {
        case .skipped: counts["skipped", default: 0] += 1
        case .chalked: counts["chalked", default: 0] += 1
        case .candidate: counts["candidate", default: 0] += 1
        }
        if (index + 1) % cars == 0 { _ = ledger.expire(now: sighting.time) }
      }
    }
    let cpu = threadCPUSeconds() - cpuBefore
    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    let total = Double(sightings.count)
    return [
      ("enforcement.decisions_per_second", total / seconds, "decisions/s"),
      // On a shared machine the wall-clock rate depends on the load; the CPU-time rate does not.
      ("enforcement.decisions_per_cpu_second", total / cpu, "decisions/s"),
      ("enforcement.decision_mean", seconds / total * 1e6, "µs"),
      ("enforcement.zones", Double(zones.zones.count), "zones"),
      ("enforcement.sightings", total, "sightings"),
      ("enforcement.candidates", Double(counts["candidate", default: 0]), "candidates"),
      ("enforcement.chalked", Double(counts["chalked", default: 0]), "decisions"),
      ("enforcement.skipped", Double(counts["skipped", default: 0]), "decisions"),
    ]
  }

  /// CPU time of the calling thread (the benchmark runs on one thread).
  static func threadCPUSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
  }

  /// A lattice of `count` block faces (100 m × 3 m, both sides of east–west streets 150 m
  /// apart), with a mix of 2 h, 1 h, permit-only and street-sweeping policies.
  static func syntheticZones(count: Int) -> ZoneSet {
    let origin = CurbPosition(latitude: 37.30, longitude: -121.95, uncertainty: 0)
    let perRow = 50
    let mondayToSaturday: Set<Int> = [1, 2, 3, 4, 5, 6]
    let policies = [
      CurbPolicy(
        id: PolicyID("2h"), priority: 10,
        rules: [
          CurbRule(activity: .parking, userClasses: [UserClass("permit R")]),
          CurbRule(activity: .parking, maxStay: 7_200),
        ],
        timeSpans: [TimeSpan(daysOfWeek: mondayToSaturday, timeOfDayStart: 8 * 3_600, timeOfDayEnd: 18 * 3_600)]),
      CurbPolicy(
        id: PolicyID("1h"), priority: 10, rules: [CurbRule(activity: .parking, maxStay: 3_600)],
        timeSpans: [
          TimeSpan(
            daysOfWeek: mondayToSaturday, timeOfDayStart: 9 * 3_600, timeOfDayEnd: 18 * 3_600,
            designatedPeriod: "holidays", designatedPeriodExcept: true)
        ]),
      CurbPolicy(
        id: PolicyID("permit"), priority: 5,
        rules: [CurbRule(activity: .parking, userClasses: [UserClass("permit R")]), CurbRule(activity: .noParking)],
        timeSpans: [TimeSpan(timeOfDayStart: 18 * 3_600, timeOfDayEnd: 8 * 3_600)]),
      CurbPolicy(
        id: PolicyID("sweep"), priority: 1, rules: [CurbRule(activity: .noParking)],
        timeSpans: [
          TimeSpan(daysOfWeek: [2], daysOfMonth: Set(8...14), timeOfDayStart: 7 * 3_600, timeOfDayEnd: 9 * 3_600)
        ]),
    ]
    var zones: [CurbZone] = []
    for index in 0..<count {
      let row = index / perRow
      let column = index % perRow / 2
      let north = Double(row) * 150 + (index % 2 == 0 ? 0 : 14)
      let west = Double(column) * 120
      let corners = [(0.0, 0.0), (100.0, 0.0), (100.0, 3.0), (0.0, 3.0), (0.0, 0.0)].map { dx, dy in
        let p = origin.offset(east: west + dx, north: north + dy)
        return ZonePolygon.Vertex(longitude: p.longitude, latitude: p.latitude)
      }
      let policyIDs: [PolicyID] =
        switch index % 4 {
        case 0: [PolicyID("sweep"), PolicyID("2h")]
        case 1: [PolicyID("1h")]
        case 2: [PolicyID("permit"), PolicyID("2h")]
        default: [PolicyID("2h")]
        }
      zones.append(CurbZone(id: ZoneID("z\(index)"), polygon: ZonePolygon(rings: [corners]), policyIDs: policyIDs))
    }
    return ZoneSet(
      zones: zones, policies: policies, timeZone: TimeZone(identifier: "America/Los_Angeles")!,
      designatedPeriods: ["holidays": [CivilDate(year: 2026, month: 5, day: 25)]])
  }

  /// A position in a random zone (96%) or anywhere in the lattice's box (4%), uncertain by 1–4 m.
  static func randomPosition(in set: ZoneSet, using generator: inout SplitMix) -> CurbPosition {
    let uncertainty = Double.random(in: 1...4, using: &generator)
    if Double.random(in: 0..<1, using: &generator) < 0.04 {
      let box = set.zones.map(\.polygon.bounds)
      let lat = Double.random(in: box.map(\.minLat).min()!...box.map(\.maxLat).max()!, using: &generator)
      let lon = Double.random(in: box.map(\.minLon).min()!...box.map(\.maxLon).max()!, using: &generator)
      return CurbPosition(latitude: lat, longitude: lon, uncertainty: uncertainty)
    }
    let zone = set.zones[Int.random(in: 0..<set.zones.count, using: &generator)]
    let ring = zone.polygon.rings[0]
    let t = Double.random(in: 0.05...0.95, using: &generator)
    let s = Double.random(in: 0.2...0.8, using: &generator)
    let lon = ring[0].longitude + (ring[1].longitude - ring[0].longitude) * t
    let lat = ring[0].latitude + (ring[3].latitude - ring[0].latitude) * s
    return CurbPosition(latitude: lat, longitude: lon, uncertainty: uncertainty)
  }
}

/// A small seeded generator so the benchmark's city is the same on every run.
struct SplitMix: RandomNumberGenerator {
  private var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
