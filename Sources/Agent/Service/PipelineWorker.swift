// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineModel
import Foundation
import Logging
import Synchronization

/// Runs the ``PatrolPipeline`` on a ``PipelineExecutor`` (a thread of its own, off the
/// cooperative pool: it blocks on inference and SQLite), taking its work from a ``FrameQueue``
/// until the queue is closed and drained; then it finishes every open track, so no sighting in
/// flight is lost. The daemon and `chalkline replay` run the same worker.
public final class PipelineWorker: Sendable {
  /// What the daemon reads about the worker while it runs.
  public struct Progress: Sendable, Equatable {
    /// Frames read so far (damaged ones included: they went through).
    public var framesRead = 0
    /// Whether the thread waits for work.
    public var idle = true
    /// The pipeline's counters, updated after every frame.
    public var counters = PipelineCounters()
    /// Frames whose decisions failed (a vault write): logged, counted, reading goes on.
    public var errors = 0
    /// When the pipeline was built and began to take work (nil before).
    public var runningSince: ContinuousClock.Instant?
  }

  private let queue: FrameQueue
  private let makePipeline: @Sendable () throws -> PatrolPipeline
  private let stallAfter: Int?
  private let logger: Logger
  private let onFrame: (@Sendable (PipelineCounters) -> Void)?
  private let shared = Mutex(Progress())

  /// - Parameters:
  ///   - makePipeline: builds the pipeline, on the worker's thread (it never leaves it).
  ///   - stallAfter: a test hook: after this many frames the thread stops taking work (as a
  ///     hung stage would) until the queue is closed, so the watchdog can be seen to fire.
  ///   - onFrame: called on the worker's thread with the counters after each frame (a replay's progress).
  public init(
    queue: FrameQueue, stallAfter: Int? = nil, logger: Logger,
    onFrame: (@Sendable (PipelineCounters) -> Void)? = nil,
    makePipeline: @escaping @Sendable () throws -> PatrolPipeline
  ) {
    self.queue = queue
    self.makePipeline = makePipeline
    self.stallAfter = stallAfter
    self.logger = logger
    self.onFrame = onFrame
  }

  /// The worker's progress now.
  public var progress: Progress { shared.withLock { $0 } }

  /// Builds the pipeline, calls `onRunning`, and reads until the queue is closed and empty;
  /// returns the final counters (with latency percentiles).
  ///
  /// - Parameter retentionTicks: how often to ask the pipeline for a retention tick, through the
  ///   queue so that it runs on the pipeline's thread between frames (the daemon: forgetting goes
  ///   on with the camera and gpsd silent); nil for none (a replay runs on the dump's clock alone).
  public func run(
    retentionTicks: Duration? = nil, onRunning: @escaping @Sendable () -> Void = {}
  ) async throws -> PipelineCounters {
    let executor = PipelineExecutor()
    defer { executor.shutdown() }
    guard let retentionTicks else {
      return try await withTaskExecutorPreference(executor) { try await work(onRunning: onRunning) }
    }
    return try await withThrowingTaskGroup(of: PipelineCounters?.self) { group in
      group.addTask { [queue] in
        // Ends when the queue closes (a stop) or the reading below ends and cancels it.
        while !Task.isCancelled {
          do { try await Task.sleep(for: retentionTicks) } catch { break }
          guard queue.requestRetentionTick() else { break }
        }
        return nil
      }
      group.addTask { try await withTaskExecutorPreference(executor) { try await self.work(onRunning: onRunning) } }
      while let finished = try await group.next() {
        if let counters = finished {
          group.cancelAll()
          return counters
        }
      }
      preconditionFailure("the pipeline's reading task always returns its counters")
    }
  }

  private func work(onRunning: @Sendable () -> Void) async throws -> PipelineCounters {
    let pipeline = try makePipeline()
    shared.withLock { $0.runningSince = .now }
    onRunning()
    while true {
      shared.withLock { $0.idle = true }
      guard let item = await queue.next() else { break }
      shared.withLock { $0.idle = false }
      switch item {
      case .fix(let fix):
        pipeline.add(fix)
      case .sourceFaults(let count):
        for _ in 0..<count { pipeline.sourceFault() }
      case .zones(let zones):
        pipeline.replaceZones(zones)
        let counters = pipeline.counters
        shared.withLock { $0.counters = counters }
      case .permits(let permits):
        pipeline.replacePermits(permits)
        let counters = pipeline.counters
        shared.withLock { $0.counters = counters }
      case .retentionTick:
        pipeline.retentionTick()
        let counters = pipeline.counters
        shared.withLock { $0.counters = counters }
      case .frame(let frame, let arrived):
        if let stallAfter, progress.framesRead >= stallAfter { stall() }
        var failed = false
        do { try pipeline.process(frame, arrived: arrived) } catch {
          failed = true
          logger.error(
            "a frame's decisions could not be stored; its sightings may be lost",
            metadata: ["frame.seq": "\(frame.sequence)", "error": "\(error)"])
        }
        let counters = pipeline.counters
        shared.withLock {
          $0.framesRead += 1
          $0.counters = counters
          if failed { $0.errors += 1 }
        }
        onFrame?(counters)
      }
    }
    let counters = try pipeline.finish()
    shared.withLock {
      $0.counters = counters
      $0.idle = true
    }
    return counters
  }

  /// The stall hook: hangs like a stuck stage, but lets a graceful stop through.
  private func stall() {
    logger.warning("test hook: the pipeline stalls now (CHALKLINE_TEST_STALL_AFTER)")
    while !queue.snapshot.isClosed { usleep(50_000) }
  }
}
