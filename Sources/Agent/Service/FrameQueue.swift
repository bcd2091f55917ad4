// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import Enforcement
import Positioning
import Synchronization

/// The bounded queue between the sources (camera, gpsd, a dump) and the pipeline worker.
/// Producers never wait, except a fast replay, which suspends until there is room (a dump is
/// not a live camera: none of its frames is dropped); the consumer suspends until there is
/// work. Nobody polls: each side resumes the other. A waiting replay is resumed once the queue
/// has drained to half its frames, not at every take, so it refills in bursts instead of
/// switching threads with the pipeline at every frame. The policy lives in ``FrameQueueState``.
public final class FrameQueue: Sendable {
  private struct Inner {
    var state: FrameQueueState
    /// The consumer, suspended in ``next()`` until there is work.
    var consumer: CheckedContinuation<PipelineWork?, Never>?
    /// Producers suspended in ``pushWhenRoom(_:)``, by ticket.
    var waiting: [Int: CheckedContinuation<Void, Never>] = [:]
    var nextTicket = 0
  }

  private let inner: Mutex<Inner>

  /// A queue keeping at most `frameCapacity` frames (the newest).
  public init(frameCapacity: Int, fixCapacity: Int = 256) {
    inner = Mutex(Inner(state: FrameQueueState(frameCapacity: frameCapacity, fixCapacity: fixCapacity)))
  }

  /// Adds a frame, dropping the oldest waiting one when full. False once closed.
  @discardableResult public func push(_ frame: Frame) -> Bool { mutate { $0.push(frame) } }

  /// Adds a frame once there is room for it without a drop (suspending until the consumer took
  /// one); its latency starts when the pipeline takes it. False once closed or cancelled.
  public func pushWhenRoom(_ frame: Frame) async -> Bool {
    while true {
      if Task.isCancelled { return false }
      let pushed: Bool? = mutate { state in
        if state.isClosed { return false }
        return state.hasRoom ? state.push(frame, arrived: nil) : nil
      }
      if let pushed { return pushed }
      let ticket = inner.withLock { inner in
        defer { inner.nextTicket += 1 }
        return inner.nextTicket
      }
      await withTaskCancellationHandler {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
          let ready = inner.withLock { inner in
            if inner.state.isClosed || inner.state.hasRoom || Task.isCancelled { return true }
            inner.waiting[ticket] = continuation
            return false
          }
          if ready { continuation.resume() }
        }
      } onCancel: {
        inner.withLock { $0.waiting.removeValue(forKey: ticket) }?.resume()
      }
    }
  }

  /// Adds a fix. False once closed.
  @discardableResult public func push(_ fix: Fix) -> Bool { mutate { $0.push(fix) } }

  /// Counts a fault the frame source survived.
  public func sourceFault() { mutate { $0.sourceFault() } }

  /// Asks the pipeline for a retention tick (see ``PipelineWork/retentionTick``). False once closed.
  @discardableResult public func requestRetentionTick() -> Bool { mutate { $0.requestRetentionTick() } }

  /// New zones for the pipeline, ahead of the waiting frames.
  @discardableResult public func push(zones: ZoneSet) -> Bool { mutate { $0.push(zones: zones) } }

  /// A newer permit list for the pipeline, ahead of the waiting frames.
  @discardableResult public func push(permits: PermitsInForce) -> Bool { mutate { $0.push(permits: permits) } }

  /// Stops input and wakes the consumer and every waiting producer; what waits is still handed out.
  public func close() { mutate { $0.close() } }

  /// The next piece of work, suspending until there is some; nil once the queue is closed and
  /// empty. One consumer at a time.
  public func next() async -> PipelineWork? {
    await withCheckedContinuation { (continuation: CheckedContinuation<PipelineWork?, Never>) in
      var producers: [CheckedContinuation<Void, Never>] = []
      let ready: PipelineWork?? = inner.withLock { inner in
        precondition(inner.consumer == nil, "a FrameQueue has one consumer")
        if let work = inner.state.take() {
          producers = Self.producersToWake(&inner)
          return .some(work)
        }
        if inner.state.isClosed { return .some(nil) }
        inner.consumer = continuation
        return nil
      }
      for producer in producers { producer.resume() }
      if let ready { continuation.resume(returning: ready) }
    }
  }

  /// Whether the consumer is suspended in ``next()`` waiting for work (tests watch it sleep).
  public var consumerIsWaiting: Bool { inner.withLock { $0.consumer != nil } }

  /// How many producers wait for room (tests watch a fast replay wait).
  public var producersWaiting: Int { inner.withLock { $0.waiting.count } }

  /// Depth, drops and counts right now.
  public var snapshot: FrameQueueState { inner.withLock { $0.state } }

  /// Changes the state, then hands work to a suspended consumer and room to suspended
  /// producers; they resume outside the lock.
  private func mutate<T: Sendable>(_ body: (inout FrameQueueState) -> T) -> T {
    let (result, wakeups) = inner.withLock { inner -> (T, Wakeups) in
      let result = body(&inner.state)
      var wakeups = Wakeups()
      if let consumer = inner.consumer {
        if let work = inner.state.take() {
          inner.consumer = nil
          wakeups.consumer = (consumer, work)
        } else if inner.state.isClosed {
          inner.consumer = nil
          wakeups.consumer = (consumer, nil)
        }
      }
      wakeups.producers = Self.producersToWake(&inner)
      return (result, wakeups)
    }
    wakeups.resume()
    return result
  }

  /// Producers to resume when the frames have drained to half or the queue closed (they check again).
  private static func producersToWake(_ inner: inout Inner) -> [CheckedContinuation<Void, Never>] {
    guard !inner.waiting.isEmpty, inner.state.depth <= inner.state.frameCapacity / 2 || inner.state.isClosed
    else { return [] }
    defer { inner.waiting.removeAll() }
    return Array(inner.waiting.values)
  }

  /// Who to resume once the lock is released.
  private struct Wakeups: Sendable {
    var consumer: (CheckedContinuation<PipelineWork?, Never>, PipelineWork?)?
    var producers: [CheckedContinuation<Void, Never>] = []

    func resume() {
      if let (continuation, work) = consumer { continuation.resume(returning: work) }
      for producer in producers { producer.resume() }
    }
  }
}
