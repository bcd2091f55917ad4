// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Wire

/// The bounds every number, string and array a device sends must keep, checked before anything
/// reaches storage: a validly signed but hostile manifest (a stolen key, a broken vehicle) is
/// refused whole, with the field named, and no page can later trap on what it would have stored.
public enum IngestValidation {
  /// A value outside its bounds: which candidate, which field, what was wrong.
  public struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
    /// The candidate (nil for a batch-level problem).
    public var candidate: UUID?
    /// The field, as the wire names it (`sightings[1].uncertainty_m`).
    public var field: String
    /// What is wrong and what was expected.
    public var problem: String

    public var description: String {
      (candidate.map { "candidate \($0.uuidString): " } ?? "") + "\(field): \(problem)"
    }
  }

  /// Most candidates in one batch.
  public static let maxCandidatesPerBatch = 500
  /// Most sightings (and sealed evidence) in one candidate.
  public static let maxSightings = 8
  /// Largest manifest, bytes.
  public static let maxManifestBytes = 16 << 10
  /// Largest sealed evidence (ciphertext), bytes.
  public static let maxEvidenceBytes = 4 << 20
  /// Longest id-like string (rule, zone), characters.
  public static let maxNameLength = 128
  /// Most aggregates in one batch.
  public static let maxAggregatesPerBatch = 10_000
  /// Enforced time elapsed: at most 31 days.
  public static let elapsedRange = 0.0...(31 * 86_400)
  /// Distance between sightings: at most 50 km.
  public static let distanceRange = 0.0...50_000
  /// A sighting's 95 % uncertainty radius: at most 1 km.
  public static let uncertaintyRange = 0.0...1_000
  /// Read confidence.
  public static let confidenceRange = 0.0...1
  /// Earliest time a device may state (2020-01-01).
  public static let earliest = Date(timeIntervalSince1970: 1_577_836_800)
  /// How far ahead of the hub's clock a device's time may be.
  public static let clockSkew: TimeInterval = 86_400

  /// Checks a batch's shape (count, version).
  public static func check(batch: CandidateBatch) throws(Problem) {
    guard batch.version == 1 else {
      throw Problem(field: "version", problem: "\(batch.version) is not supported (expected 1)")
    }
    guard batch.candidates.count <= maxCandidatesPerBatch else {
      throw Problem(
        field: "candidates",
        problem: "\(batch.candidates.count) candidates in one batch (expected at most \(maxCandidatesPerBatch))")
    }
  }

  /// Checks one verified candidate's manifest and evidence against every bound.
  public static func check(_ manifest: WireManifest, wire: WireCandidate, now: Date = Date()) throws(Problem) {
    func fail(_ field: String, _ problem: String) -> Problem {
      Problem(candidate: wire.id, field: field, problem: problem)
    }
    guard wire.manifest.count <= maxManifestBytes else {
      throw fail("manifest", "\(wire.manifest.count) bytes (expected at most \(maxManifestBytes))")
    }
    guard manifest.version == 1 else { throw fail("version", "\(manifest.version) is not supported (expected 1)") }
    try name(manifest.rule, "rule", fail)
    try name(manifest.zone, "zone", fail)
    try time(manifest.decidedAt, "decided_at", now: now, fail)
    guard (1...maxSightings).contains(manifest.sightings.count) else {
      throw fail("sightings", "\(manifest.sightings.count) sightings (expected 1…\(maxSightings))")
    }
    var previous: Date?
    for (index, s) in manifest.sightings.enumerated() {
      let at = "sightings[\(index)]"
      let when = try time(s.time, "\(at).time", now: now, fail)
      if let previous, when < previous { throw fail("\(at).time", "earlier than the sighting before it") }
      previous = when
      try number(s.latitude, "\(at).latitude", -90...90, fail)
      try number(s.longitude, "\(at).longitude", -180...180, fail)
      try number(s.uncertaintyM, "\(at).uncertainty_m", uncertaintyRange, fail)
    }
    if let v = manifest.enforcedElapsedS { try number(v, "enforced_elapsed_s", elapsedRange, fail) }
    if let v = manifest.distanceM { try number(v, "distance_m", distanceRange, fail) }
    if let v = manifest.readConfidence { try number(v, "read_confidence", confidenceRange, fail) }
    // What the hub derives when the device does not state it must keep the same bounds.
    if manifest.enforcedElapsedS == nil, let v = manifest.elapsedSeconds {
      try number(v, "sightings (time elapsed between them)", elapsedRange, fail)
    }
    if manifest.distanceM == nil, let v = manifest.distanceMeters {
      try number(v, "sightings (distance between them)", distanceRange, fail)
    }
    for (index, e) in wire.evidence.enumerated()
    where e.ciphertext.count > maxEvidenceBytes || e.encapsulatedKey.count > 256 {
      throw fail("evidence[\(index)]", "\(e.ciphertext.count) bytes sealed (expected at most \(maxEvidenceBytes))")
    }
  }

  /// Checks an aggregate batch: count, area names, counts and hours.
  public static func check(aggregates batch: AggregateBatch, now: Date = Date()) throws(Problem) {
    guard batch.version == 1 else {
      throw Problem(field: "version", problem: "\(batch.version) is not supported (expected 1)")
    }
    guard batch.aggregates.count <= maxAggregatesPerBatch else {
      throw Problem(
        field: "aggregates", problem: "\(batch.aggregates.count) (expected at most \(maxAggregatesPerBatch))")
    }
    for (index, a) in batch.aggregates.enumerated() {
      func fail(_ field: String, _ problem: String) -> Problem {
        Problem(field: "aggregates[\(index)].\(field)", problem: problem)
      }
      guard a.place != nil else { throw fail("area_kind", "must be zone or tract") }
      try name(a.area, "area", fail)
      for (field, value) in [("reads", a.reads), ("chalk_marks", a.chalkMarks), ("candidates", a.candidates)]
      where !(0...10_000_000).contains(value) {
        throw fail(field, "\(value) (expected 0…10000000)")
      }
      guard a.hour >= earliest, a.hour <= now.addingTimeInterval(clockSkew) else {
        throw fail("hour", "\(UTCTime.format(a.hour)) is before 2020 or ahead of the hub's clock")
      }
    }
  }

  static func number(
    _ value: Double, _ field: String, _ range: ClosedRange<Double>, _ fail: (String, String) -> Problem
  ) throws(Problem) {
    guard value.isFinite, range.contains(value) else {
      throw fail(field, "\(value) is out of range (expected \(range.lowerBound)…\(range.upperBound))")
    }
  }

  static func name(_ value: String, _ field: String, _ fail: (String, String) -> Problem) throws(Problem) {
    guard (1...maxNameLength).contains(value.count),
      value.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F && !(0x80..<0xA0).contains($0.value) })
    else {
      throw fail(field, "must be 1…\(maxNameLength) printable characters (got \(value.utf8.count) bytes)")
    }
  }

  @discardableResult
  static func time(
    _ value: String, _ field: String, now: Date, _ fail: (String, String) -> Problem
  ) throws(Problem) -> Date {
    guard value.utf8.count <= 40, let date = UTCTime.parse(value) else {
      throw fail(field, "not an ISO 8601 time (expected 2026-03-02T09:00:00.000Z)")
    }
    guard date >= earliest, date <= now.addingTimeInterval(clockSkew) else {
      throw fail(field, "\(value) is before 2020 or more than a day ahead of the hub's clock")
    }
    return date
  }
}
