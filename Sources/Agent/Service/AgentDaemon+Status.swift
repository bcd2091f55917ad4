// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineModel
import Enforcement
import Foundation
import Logging
import Uplink
import Vault

#if canImport(Glibc)
  import Glibc
#endif

extension AgentDaemon {
  /// Every status interval: the status file, systemd's STATUS line, and — only when the
  /// pipeline progressed — the watchdog ping. Returns when cancelled.
  func tick(state: DaemonState, queue: FrameQueue, worker: PipelineWorker, started: Date) async {
    let timeout = notifier.watchdogTimeout.map(Self.seconds) ?? 30
    var gate = WatchdogGate(patience: timeout / 2)
    let origin = ContinuousClock.now
    var lastFrames = 0
    var lastTime = ContinuousClock.now
    var lastVerdict = WatchdogGate.Verdict.progressing
    while !Task.isCancelled {
      try? await Task.sleep(for: options.statusInterval)
      guard !Task.isCancelled else { return }
      let progress = worker.progress
      let now = ContinuousClock.now
      let seconds = Self.seconds(now - lastTime)
      let fps = seconds > 0 ? Double(progress.framesRead - lastFrames) / seconds : 0
      lastFrames = progress.framesRead
      lastTime = now
      let values = state.snapshot
      if values.phase == .running, notifier.watchdogTimeout != nil {
        let decision = gate.look(
          at: .init(
            framesRead: progress.framesRead, sourceEvents: values.sourceEvents,
            pipelineIdle: progress.idle && queue.snapshot.isEmpty),
          now: Self.seconds(now - origin))
        let verdict = decision.verdict
        state.update { $0.watchdog = verdict }
        if decision.ping { notifier.watchdog() }
        if verdict != lastVerdict {
          if verdict == .progressing {
            logger.notice("pipeline progressing again: watchdog pings resume")
          } else {
            logger.warning(
              "pipeline not progressing: watchdog pings withheld", metadata: ["watchdog.verdict": "\(verdict.rawValue)"]
            )
          }
          lastVerdict = verdict
        }
      }
      await writePendingAudits()
      let status = await writeStatus(state: state, queue: queue, worker: worker, started: started, fps: fps)
      // The stages start together: a tick before the pipeline's READY=1 would reach systemd first.
      if status.phase != .starting { notifier.status(status.systemdLine) }
    }
  }

  /// Builds the status now and writes the status file; returns it.
  @discardableResult
  func writeStatus(
    state: DaemonState, queue: FrameQueue, worker: PipelineWorker, started: Date, fps: Double
  ) async -> AgentStatus {
    let values = state.snapshot
    let progress = worker.progress
    let waiting = queue.snapshot
    var camera = values.camera
    if let live = values.liveCamera {
      let statistics = live.statistics
      camera.framesDelivered = statistics.framesDelivered
      camera.framesDropped = statistics.framesDropped
      camera.faults = statistics.faults.values.reduce(0, +)
      switch live.state {
      case .starting: camera.state = "starting"
      case .streaming: camera.state = "streaming"
      case .faulted(let code): camera.state = "faulted:\(code.name)"
      }
    }
    var status = AgentStatus(
      version: ChalklineVersion.current, pid: getpid(), deviceID: values.profile.deviceID.rawValue,
      profile: options.profilePath, phase: values.phase, startedAt: started, updatedAt: Date(), camera: camera,
      gps: values.gps)
    status.readerFPS = fps
    status.queue = AgentStatus.Queue(
      depth: waiting.depth, capacity: waiting.frameCapacity, droppedFrames: waiting.droppedFrames,
      droppedFixes: waiting.droppedFixes)
    status.counters = progress.counters
    status.pipelineErrors = progress.errors
    status.watchdog = values.watchdog?.rawValue
    status.zones = "\(values.zones.source) (\(values.zones.zones.zones.count) zones)"
    status.zonesRefused = values.zonesRefused
    status.profileRefused = values.profileRefused
    status.permits = values.permits.map { "\($0.source) (\($0.summary))" } ?? values.permitsRefused
    status.permitRulesUnenforced = Self.permitRulesUnenforced(zones: values.zones.zones, permits: values.permits)
    do {
      let figures = try await vault.run { try $0.status() }
      status.vault = AgentStatus.VaultFigures(
        liveBytes: figures.liveBytes, maxBytes: figures.maxBytes, chalkMarks: figures.chalkMarks,
        pendingCandidates: figures.pendingCandidates, oldestPendingCandidate: figures.oldestPendingCandidate,
        aggregatesUnsynced: figures.aggregatesUnsynced)
      status.vault?.freeBytes = figures.freeBytes
      status.vault?.reservedFreeBytes = figures.reservedFreeBytes
      status.vault?.refusingChalkMarks = figures.refusingChalkMarks
      status.vault?.diskFullFailures = figures.diskFullFailures
      status.vault?.spaceReserveBytes = figures.spaceReserveBytes
      status.vault?.spaceReserveHeldBytes = figures.spaceReserveHeldBytes
      status.vault?.spaceReserveReleases = figures.spaceReserveReleases
      status.vault?.deleteFailures = figures.deleteFailures
      status.vault?.scrubsDeferred = figures.scrubsDeferred
      status.vault?.scrubOwed = figures.scrubOwed
    } catch {
      logger.warning("vault figures not read for the status", metadata: ["error": "\(error)"])
    }
    if values.profile.uplink != nil {
      status.uplink = uplinkStatus.current
      status.lastSync = status.uplink?.lastSuccess
    }
    status.statusWriteFailures = statusWrites.failures
    status.alarms = AgentStatus.alarms(for: status)
    metrics.update(from: status)
    // A full disk refuses the status file too: counted (in the metrics, and in the next status
    // written), logged when it starts and when it ends, and written again at the next tick.
    do {
      try StatusFile.write(status, in: vault.stateDirectory)
      if let failed = statusWrites.succeeded() {
        logger.notice("status file written again", metadata: ["status.write_failures": "\(failed)"])
      }
    } catch {
      let first = statusWrites.failed()
      status.statusWriteFailures = statusWrites.failures
      metrics.update(from: status)
      if first { logger.error("status file not written: retried at every tick", metadata: ["error": "\(error)"]) }
    }
    return status
  }

  static func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
  }
}
