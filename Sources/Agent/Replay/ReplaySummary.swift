// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// What a replay did, plate-free: printed at the end of `chalkline replay` (and as JSON).
public struct ReplaySummary: Codable, Sendable, Equatable {
  public var dump: String
  public var counters: PipelineCounters
  /// Seconds of dump time covered by frames, first to last (gaps between passes included).
  public var dumpSeconds: Double
  /// Seconds of camera time actually filmed (gaps longer than 10 s between frames left out).
  public var filmedSeconds: Double
  public var wallSeconds: Double
  /// How many times faster than the camera filmed it the replay went.
  public var speedFactor: Double
  /// Candidates waiting in the vault's outbox after the replay.
  public var outbox: Int
  /// Candidates per zone, plate-free.
  public var candidatesByZone: [String: Int]
  public var stateDirectory: String
  /// Faults the dump reported (damaged frames, bad lines), as sentences.
  public var faults: [String]
  /// The zones and the permit list enforced, and whether the hub's documents were fetched first.
  public var rules: String?
  /// A realtime replay whose reader lagged: frames dropped from the queue, as on the road (nil: none).
  public var droppedFrames: Int?
  /// With `uplink.url` in the profile: candidates the hub acknowledged after the replay.
  public var synced: Int?
  /// With `uplink.url`: the hub it synced to, or why it could not.
  public var syncNote: String?

  /// Lines for a person at a terminal.
  public var lines: [String] {
    var out = [
      "replayed \(dump)",
      "  frames      \(counters.frames) (\(counters.damagedFrames) damaged, \(counters.sourceFaults) source faults)"
        + ", gps fixes \(counters.gpsFixes)" + (droppedFrames.map { ", \($0) dropped (the reader lagged)" } ?? ""),
      "  plates      \(counters.plateReads) reads -> \(counters.sightings) sightings"
        + " (\(counters.withoutPosition) without a usable position)",
      "  chalk marks \(counters.chalkMarks) new, \(counters.renewedChalkMarks) seen again"
        + ", \(counters.expiredChalkMarks) expired, \(counters.refusedByQuota) refused (vault full)",
      "  candidates  \(counters.candidates) for officer review; outbox holds \(outbox)",
    ]
    for (zone, count) in candidatesByZone.sorted(by: { $0.key < $1.key }) {
      out.append("                \(count) in \(zone)")
    }
    if !counters.skipped.isEmpty {
      let skipped = counters.skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
      out.append("  skipped     " + skipped.joined(separator: ", "))
    }
    out.append(
      "  timing      \(String(format: "%.1f", wallSeconds)) s for \(String(format: "%.1f", filmedSeconds)) s filmed"
        + " (\(String(format: "%.1f", speedFactor))x real time); per frame p50 "
        + "\(String(format: "%.1f", counters.frameMillisecondsP50)) ms, p99 "
        + "\(String(format: "%.1f", counters.frameMillisecondsP99)) ms; decision p50 "
        + "\(String(format: "%.2f", counters.decisionMillisecondsP50)) ms")
    out.append(
      "  latency     frame to decision p50 \(String(format: "%.0f", counters.latencyMillisecondsP50)) ms, p99 "
        + "\(String(format: "%.0f", counters.latencyMillisecondsP99)) ms (the tracker's wait for the car to leave, "
        + "then reading and deciding: p50 \(String(format: "%.1f", counters.processingLatencyMillisecondsP50)) ms, "
        + "p99 \(String(format: "%.1f", counters.processingLatencyMillisecondsP99)) ms)")
    if let rules { out.append("  rules       \(rules)") }
    if let synced { out.append("  synced      \(synced) candidates to the hub; outbox now holds \(outbox)") }
    if let syncNote { out.append("  hub         \(syncNote)") }
    for fault in faults.prefix(10) { out.append("  fault       \(fault)") }
    out.append("  vault       \(stateDirectory)")
    return out
  }
}
