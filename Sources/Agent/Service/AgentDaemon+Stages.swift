// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Uplink

extension AgentDaemon {
  /// The daemon's stages in start order. A graceful shutdown stops them in reverse: the sources
  /// (nothing new comes in), the pipeline (it reads what is queued and finishes every open
  /// track), the status tick, the uplink (one last sync of what the stop decided, only after a
  /// clean pipeline end), the metrics endpoint. The pipeline's end, for whatever reason, shuts
  /// the group down the same way.
  func stages(
    uplink: UplinkSync?, state: DaemonState, queue: FrameQueue, worker: PipelineWorker, result: PipelineResult,
    started: Date
  ) -> [ServiceGroupConfiguration.ServiceConfiguration] {
    let (profile, vault, logger, notifier, options) = (initialProfile, vault, logger, notifier, options)
    var stages: [ServiceGroupConfiguration.ServiceConfiguration] = []
    func add(_ stage: DaemonStage, endsTheGroup: Bool = false) {
      let ending: ServiceGroupConfiguration.ServiceConfiguration.TerminationBehavior =
        endsTheGroup ? .gracefullyShutdownGroup : .ignore
      stages.append(.init(service: stage, successTerminationBehavior: ending, failureTerminationBehavior: ending))
    }
    if profile.metricsPort > 0 {
      add(
        DaemonStage("metrics", logger: logger) { [metrics] in
          await metrics.serve(port: profile.metricsPort, logger: logger)
        })
    }
    if let uplink {
      var stage = DaemonStage("uplink", logger: logger) { await Self.runUplink(uplink, logger: logger) }
      stage.after = {
        guard case .success = result.value.withLock({ $0 }) else { return }
        await Self.finalSync(profile: profile, vault: vault, limit: options.finalSyncLimit, logger: logger)
      }
      add(stage)
    }
    add(
      DaemonStage("status", logger: logger) { await tick(state: state, queue: queue, worker: worker, started: started) }
    )
    var pipeline = DaemonStage("pipeline", logger: logger) {
      let outcome: Result<PipelineCounters, any Error>
      do {
        outcome = .success(
          try await worker.run(retentionTicks: options.retentionTickInterval) {
            // READY first: the status stage sends STATUS only once the phase is past starting.
            notifier.ready(status: "pipeline running")
            state.update { $0.phase = .running }
            logger.notice("agent running", metadata: ["device.id": "\(profile.deviceID)"])
          })
      } catch {
        outcome = .failure(error)
      }
      result.value.withLock { $0 = outcome }
    }
    // The sources have stopped by now: what they queued is still read.
    pipeline.stop = { queue.close() }
    add(pipeline, endsTheGroup: true)
    add(DaemonStage("sources", logger: logger) { await runSources(state: state, queue: queue) })
    return stages
  }
}

/// How the pipeline ended, handed from its stage to the daemon.
final class PipelineResult: Sendable {
  let value = Mutex<Result<PipelineCounters, any Error>?>(nil)
}
