// SPDX-License-Identifier: AGPL-3.0-or-later

import CoreMetrics
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServerSupport
import Synchronization
import Uplink

/// The agent's metrics: swift-metrics counters and gauges made on an injected factory (the
/// ``AgentMetricsFactory`` over a Prometheus registry, which `chalkline run` also bootstraps as
/// the process's `MetricsSystem`), served as Prometheus text on 127.0.0.1 only (`metrics.port`).
/// The pipeline's counters advance as the pipeline worker reads (``record(_:)``); the rest
/// follow the status tick. Plate-free by construction: no label is derived from a plate or a
/// candidate — the only label is a skip reason from a fixed list.
public final class AgentMetrics: Sendable {
  /// The factory the metrics are made on (bootstrap `MetricsSystem` with it to add others).
  public let factory: AgentMetricsFactory
  private let counted = Mutex<[String: Int]>([:])
  private let counters: [String: CoreMetrics.Counter]
  private let gauges: [String: CoreMetrics.Gauge]

  static let counterHelp: [(String, String)] = [
    ("frames_read", "Frames the pipeline read."),
    ("frames_damaged", "Frames that could not be decoded (skipped)."),
    ("frames_dropped", "Frames dropped from the queue because reading lagged."),
    ("plate_reads", "Plates read in frames."),
    ("sightings", "Tracked sightings decided."),
    ("chalk_marks", "New chalk marks stored."),
    ("candidates", "Violation candidates queued for review."),
    ("pipeline_errors", "Unexpected pipeline errors (see the journal)."),
    ("gps_fixes", "GPS fixes accepted by the quality gate."),
    ("uplink_sent", "Candidates the hub acknowledged."),
    ("chalk_marks_refused", "New chalk marks refused: vault quota reached or disk down to its reserve."),
    ("vault_write_failures", "Vault writes that failed (each logged; deletions and candidates retried)."),
    ("vault_disk_full_failures", "Vault writes refused because the disk is full (retried)."),
    ("vault_space_reserve_releases", "Times the vault gave up its space reserve so a write on a full disk still fit."),
    ("status_write_failures", "Times the status file could not be written (retried every tick)."),
    ("vault_delete_failures", "Vault deletions that failed (each logged and retried), since the vault was created."),
    (
      "vault_scrubs_deferred",
      "Scrubs after deletions (vacuum, WAL truncation) deferred or failed, since the vault was created (retried)."
    ),
  ]
  static let gaugeHelp: [(String, String)] = [
    ("reader_fps", "Frames read per second over the last status interval."),
    ("queue_depth", "Frames waiting between capture and reading."),
    ("vault_bytes", "Live bytes in the vault."),
    ("vault_quota_bytes", "The vault's quota."),
    ("chalk_marks_live", "Chalk marks held."),
    ("outbox_candidates", "Candidates waiting for the hub's acknowledgement."),
    ("uplink_connected", "1 when the last exchange with the hub succeeded."),
    ("camera_streaming", "1 while the camera (or replayed dump) delivers frames."),
    ("alarms", "Alarms raised in the status (see chalkline status)."),
    ("vault_disk_free_bytes", "Bytes free on the file system of the state directory."),
    (
      "vault_space_reserve_bytes",
      "Bytes of the vault's space reserve held now (less than configured after a full disk)."
    ),
    ("vault_refusing_chalk_marks", "1 while new chalk marks are refused (quota or disk reserve reached)."),
    ("candidates_waiting_for_space", "Candidates held in memory until the full disk takes them."),
    (
      "permit_policies_unenforced",
      "Permit policies not enforced because no verified permit list is held (an alarm while above 0)."
    ),
  ]

  /// Metrics in `registry` (a registry of their own by default: each daemon its own).
  public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
    var help = Dictionary(uniqueKeysWithValues: Self.counterHelp.map { (Self.counterName($0.0), $0.1) })
    help[Self.counterName("sightings_skipped")] = Self.skippedHelp
    for (name, text) in Self.gaugeHelp { help[Self.gaugeName(name)] = text }
    let factory = AgentMetricsFactory(registry: registry, help: help)
    self.factory = factory
    counters = Dictionary(
      uniqueKeysWithValues: Self.counterHelp.map {
        ($0.0, CoreMetrics.Counter(label: Self.counterName($0.0), factory: factory))
      })
    gauges = Dictionary(
      uniqueKeysWithValues: Self.gaugeHelp.map {
        ($0.0, CoreMetrics.Gauge(label: Self.gaugeName($0.0), factory: factory))
      })
  }

  static let skippedHelp = "Sightings not chalked, by reason."

  /// `chalkline_NAME_total`.
  static func counterName(_ name: String) -> String { "chalkline_\(name)_total" }

  /// `chalkline_NAME`.
  static func gaugeName(_ name: String) -> String { "chalkline_\(name)" }

  /// The pipeline's counters as the worker reads (after each frame): `/metrics` does not wait
  /// for the status tick.
  public func record(_ pipeline: PipelineCounters) {
    let totals: [String: Int] = [
      "frames_read": pipeline.frames, "frames_damaged": pipeline.damagedFrames, "plate_reads": pipeline.plateReads,
      "sightings": pipeline.sightings, "chalk_marks": pipeline.chalkMarks, "candidates": pipeline.candidates,
      "gps_fixes": pipeline.gpsFixes, "chalk_marks_refused": pipeline.refusedByQuota + pipeline.refusedByDiskSpace,
      "vault_write_failures": pipeline.vaultWriteFailures,
    ]
    for (name, total) in totals { if let counter = counters[name] { advance(counter, name, to: total) } }
    for (reason, total) in pipeline.skipped {
      // The registry hands back the counter it already holds for this name and label.
      let counter = CoreMetrics.Counter(
        label: Self.counterName("sightings_skipped"), dimensions: [("reason", reason)], factory: factory)
      advance(counter, "skipped/\(reason)", to: total)
    }
  }

  /// Takes the figures of a status: the counters kept outside the pipeline, the pipeline's own
  /// as of this status (counters only go up: each is advanced to its total once), and the levels.
  public func update(from status: AgentStatus) {
    record(status.counters)
    let totals: [String: Int] = [
      "frames_dropped": status.queue.droppedFrames, "pipeline_errors": status.pipelineErrors,
      "uplink_sent": status.uplink?.sent ?? 0, "vault_disk_full_failures": status.vault?.diskFullFailures ?? 0,
      "status_write_failures": status.statusWriteFailures ?? 0,
      "vault_space_reserve_releases": status.vault?.spaceReserveReleases ?? 0,
      "vault_delete_failures": status.vault?.deleteFailures ?? 0,
      "vault_scrubs_deferred": status.vault?.scrubsDeferred ?? 0,
    ]
    for (name, total) in totals { if let counter = counters[name] { advance(counter, name, to: total) } }
    let levels: [String: Double] = [
      "reader_fps": status.readerFPS, "queue_depth": Double(status.queue.depth),
      "vault_bytes": Double(status.vault?.liveBytes ?? 0), "vault_quota_bytes": Double(status.vault?.maxBytes ?? 0),
      "chalk_marks_live": Double(status.vault?.chalkMarks ?? 0),
      "outbox_candidates": Double(status.vault?.pendingCandidates ?? 0),
      "uplink_connected": status.uplink?.connected == true ? 1 : 0,
      "camera_streaming": ["streaming", "replaying"].contains(status.camera.state) ? 1 : 0,
      "alarms": Double(status.alarms.count),
      "permit_policies_unenforced": Double(status.permitRulesUnenforced ?? 0),
      "vault_disk_free_bytes": Double(status.vault?.freeBytes ?? 0),
      "vault_space_reserve_bytes": Double(status.vault?.spaceReserveHeldBytes ?? 0),
      "vault_refusing_chalk_marks": status.vault?.refusingChalkMarks == true ? 1 : 0,
      "candidates_waiting_for_space": Double(status.counters.candidatesWaitingForSpace),
    ]
    for (name, value) in levels { gauges[name]?.record(value) }
  }

  private func advance(_ counter: CoreMetrics.Counter, _ key: String, to total: Int) {
    let delta = counted.withLock { seen -> Int in
      let delta = total - seen[key, default: 0]
      if delta > 0 { seen[key] = total }
      return delta
    }
    if delta > 0 { counter.increment(by: Int64(delta)) }
  }

  /// The Prometheus text exposition.
  public func exposition() -> String { factory.registry.emitToString() }

  /// Serves `GET /metrics` on 127.0.0.1:`port` until the task is cancelled.
  func serve(port: Int, logger: Logger) async {
    let router = Router()
    router.get("/metrics") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: self.exposition())))
    }
    // The server's own shutdown chatter ("already closed" at every stop) stays out of the journal;
    // a failure to serve is reported below.
    var quiet = logger
    quiet.logLevel = .critical
    let app = Application(
      router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
      logger: quiet)
    do { try await GracefulServer.run(app, logger: quiet) } catch {
      logger.error(
        "metrics endpoint stopped: check that metrics.port is free",
        metadata: ["metrics.port": "\(port)", "error": "\(error)"])
    }
  }
}
