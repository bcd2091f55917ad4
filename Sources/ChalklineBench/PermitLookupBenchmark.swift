// SPDX-License-Identifier: AGPL-3.0-or-later
import Enforcement
import Foundation

/// The cost of the permit lookup per sighting: a verified list of 100,000 permits in ten classes
/// (16-byte keyed hashes, twelve validity cohorts), and sightings of three alternatives, each
/// hashed under two chalk windows and the permit key, as the pipeline makes them; one car in a
/// hundred holds a permit. Building the registry is timed too (what a vehicle does when a list
/// verifies).
public enum PermitLookupBenchmark {
  /// Runs the benchmark once and returns its figures.
  public static func run(
    permits: Int = 100_000, sightings: Int = 200_000
  ) -> [(metric: String, value: Double, unit: String)] {
    var generator = SplitMix(seed: 7)
    let window = KeyWindowID("permits-bench")
    func randomKey(_ window: KeyWindowID, length: Int) -> PlateKey {
      PlateKey(window: window, bytes: (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
    let holders = (0..<permits).map { _ in randomKey(window, length: 16) }
    let buildStart = ContinuousClock.now
    var registry = PermitRegistry(window: window, version: 1)
    for (index, key) in holders.enumerated() {
      let month = index % 12 + 1
      registry.add(
        [key], to: UserClass("permit \(index % 10)"),
        validity: .init(
          from: CivilDate(year: 2026, month: month, day: 1), to: CivilDate(year: 2027, month: month, day: 1)))
    }
    let built = ContinuousClock.now - buildStart
    let chalk = [KeyWindowID("chalk-2026-03-02"), KeyWindowID("chalk-2026-03-01")]
    let input = (0..<sightings).map { index in
      Sighting(
        time: Date(timeIntervalSince1970: 1_772_467_200), position: nil,
        alternatives: (0..<3).map { alternative in
          let permit =
            index % 100 == 0 && alternative == 0 ? holders[index % holders.count] : randomKey(window, length: 16)
          return PlateAlternative(keys: chalk.map { randomKey($0, length: 32) } + [permit], confidence: 0.9)
        }, evidence: EvidenceID("bench"))
    }
    let today = CivilDate(year: 2026, month: 6, day: 2)
    var found = 0
    let cpuBefore = EnforcementBenchmark.threadCPUSeconds()
    for sighting in input { found += registry.classes(of: sighting, on: today).count }
    let cpu = EnforcementBenchmark.threadCPUSeconds() - cpuBefore
    let (whole, fraction) = built.components
    return [
      ("permits.registry_permits", Double(permits), "permits"),
      ("permits.registry_build_ms", (Double(whole) + Double(fraction) / 1e18) * 1000, "ms"),
      ("permits.lookup_ns_per_sighting", cpu / Double(sightings) * 1e9, "ns"),
      ("permits.holders_found", Double(found), "sightings"),
    ]
  }
}
