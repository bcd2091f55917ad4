// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Hummingbird
import Logging
import Prometheus
import Synchronization
import Uplink

/// The agent's Prometheus metrics, on 127.0.0.1 only (`metrics.port`), refreshed from the same
/// figures as the status file. Plate-free by construction: no label is derived from a plate or
/// a candidate — the only label is a skip reason from a fixed list.
public final class AgentMetrics: Sendable {
  private let registry = PrometheusCollectorRegistry()
  private let counted = Mutex<[String: Int]>([:])
  private let counters: [String: Counter]
  private let gauges: [String: Gauge]

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
    ("status_write_failures", "Times the status file could not be written (retried every tick)."),
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
    ("vault_refusing_chalk_marks", "1 while new chalk marks are refused (quota or disk reserve reached)."),
    ("candidates_waiting_for_space", "Candidates held in memory until the full disk takes them."),
    (
      "permit_policies_unenforced",
      "Permit policies not enforced because no verified permit list is held (an alarm while above 0)."
    ),
  ]

  public init() {
    let registry = self.registry
    counters = Dictionary(
      uniqueKeysWithValues: Self.counterHelp.map {
        ($0.0, registry.makeCounter(descriptor: Self.counter($0.0, help: $0.1)))
      })
    gauges = Dictionary(
      uniqueKeysWithValues: Self.gaugeHelp.map {
        (
          $0.0,
          registry.makeGauge(
            descriptor: MetricNameDescriptor(namespace: "chalkline", metricName: $0.0, unitName: "", helpText: $0.1))
        )
      })
  }

  /// `chalkline_NAME_total`.
  static func counter(_ name: String, help: String) -> MetricNameDescriptor {
    MetricNameDescriptor(namespace: "chalkline", metricName: name, unitName: "total", helpText: help)
  }

  /// Takes the figures of a status (counters only go up: they are advanced by the difference).
  public func update(from status: AgentStatus) {
    let totals: [String: Int] = [
      "frames_read": status.counters.frames, "frames_damaged": status.counters.damagedFrames,
      "frames_dropped": status.queue.droppedFrames, "plate_reads": status.counters.plateReads,
      "sightings": status.counters.sightings, "chalk_marks": status.counters.chalkMarks,
      "candidates": status.counters.candidates, "pipeline_errors": status.pipelineErrors,
      "gps_fixes": status.counters.gpsFixes, "uplink_sent": status.uplink?.sent ?? 0,
      "chalk_marks_refused": status.counters.refusedByQuota + status.counters.refusedByDiskSpace,
      "vault_write_failures": status.counters.vaultWriteFailures,
      "vault_disk_full_failures": status.vault?.diskFullFailures ?? 0,
      "status_write_failures": status.statusWriteFailures ?? 0,
    ]
    for (name, total) in totals { if let counter = counters[name] { advance(counter, name, to: total) } }
    for (reason, total) in status.counters.skipped {
      // The registry hands back the counter it already holds for this name and label.
      let counter = registry.makeCounter(
        descriptor: Self.counter("sightings_skipped", help: "Sightings not chalked, by reason."),
        labels: [("reason", reason)])
      advance(counter, "skipped/\(reason)", to: total)
    }
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
      "vault_refusing_chalk_marks": status.vault?.refusingChalkMarks == true ? 1 : 0,
      "candidates_waiting_for_space": Double(status.counters.candidatesWaitingForSpace),
    ]
    for (name, value) in levels { gauges[name]?.set(value) }
  }

  private func advance(_ counter: Counter, _ key: String, to total: Int) {
    let delta = counted.withLock { seen -> Int in
      let delta = total - seen[key, default: 0]
      if delta > 0 { seen[key] = total }
      return delta
    }
    if delta > 0 { counter.increment(by: Int64(delta)) }
  }

  /// The Prometheus text exposition.
  public func exposition() -> String { registry.emitToString() }

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
