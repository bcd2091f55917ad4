// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import Enforcement
import Foundation
import Positioning

/// The bounded queue between capture (async tasks) and the pipeline thread (which blocks on
/// inference and SQLite): producers never wait, the consumer sleeps until there is work.
/// The policy lives in ``FrameQueueState``.
public final class FrameQueue: @unchecked Sendable {
  // @unchecked: `state` is only touched while `condition` is locked.
  private let condition = NSCondition()
  private var state: FrameQueueState

  /// A queue keeping at most `frameCapacity` frames (the newest).
  public init(frameCapacity: Int, fixCapacity: Int = 256) {
    state = FrameQueueState(frameCapacity: frameCapacity, fixCapacity: fixCapacity)
  }

  /// Adds a frame, dropping the oldest waiting one when full. False once closed.
  @discardableResult public func push(_ frame: Frame) -> Bool { mutate { $0.push(frame) } }

  /// Adds a fix. False once closed.
  @discardableResult public func push(_ fix: Fix) -> Bool { mutate { $0.push(fix) } }

  /// Counts a fault the frame source survived.
  public func sourceFault() { mutate { $0.sourceFault() } }

  /// New zones for the pipeline, ahead of the waiting frames.
  @discardableResult public func push(zones: ZoneSet) -> Bool { mutate { $0.push(zones: zones) } }

  /// A newer permit list for the pipeline, ahead of the waiting frames.
  @discardableResult public func push(permits: PermitsInForce) -> Bool { mutate { $0.push(permits: permits) } }

  /// Stops input and wakes the consumer; what waits is still handed out.
  public func close() { mutate { $0.close() } }

  /// Blocks until there is work, or returns nil once the queue is closed and empty.
  /// Call it from the pipeline thread only, never from an async task.
  public func take() -> PipelineWork? {
    condition.lock()
    defer { condition.unlock() }
    while true {
      if let work = state.take() { return work }
      if state.isClosed { return nil }
      condition.wait()
    }
  }

  /// Depth, drops and counts right now.
  public var snapshot: FrameQueueState {
    condition.lock()
    defer { condition.unlock() }
    return state
  }

  private func mutate<T>(_ body: (inout FrameQueueState) -> T) -> T {
    condition.lock()
    let result = body(&state)
    condition.signal()
    condition.unlock()
    return result
  }
}
