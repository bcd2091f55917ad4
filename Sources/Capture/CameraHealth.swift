// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// Counts of what a camera has been through since it started.
public struct CaptureStatistics: Sendable, Equatable {
  /// Frames handed to the consumer.
  public var framesDelivered: Int = 0
  /// Frames dropped because the consumer was too slow (the oldest waiting one goes).
  public var framesDropped: Int = 0
  /// Buffers the driver marked corrupt (V4L2_BUF_FLAG_ERROR).
  public var corruptBuffers: Int = 0
  /// Times no frame came within the stall timeout.
  public var stalls: Int = 0
  /// Times the device went away mid-stream.
  public var unplugs: Int = 0
  /// Failed attempts to open the device (missing, busy, refused format, other errors).
  public var failedOpens: Int = 0
  /// Times the device refused every wanted format.
  public var formatRefusals: Int = 0
  /// Times streaming resumed after a fault that closed the device.
  public var recoveries: Int = 0
  /// Every fault by code.
  public var faults: [String: Int] = [:]
}

/// The camera's state machine: what state it is in, what it counted, and whether a new event
/// changes the state (which is when it is logged, once).
package struct CameraHealth: Sendable, Equatable {
  /// The camera's state.
  package enum State: Sendable, Equatable {
    /// Opening the device for the first time.
    case starting
    /// Frames are flowing.
    case streaming
    /// A fault with this code happened and the camera is retrying.
    case faulted(CaptureError.Code)
  }

  package private(set) var state: State = .starting
  package private(set) var statistics = CaptureStatistics()
  /// Whether the device was closed because of a fault since the last frame.
  private var closedByFault = false

  package init() {}

  /// A frame arrived. Returns the new state if this changed it.
  package mutating func frameDelivered(dropped: Bool) -> State? {
    statistics.framesDelivered += 1
    if dropped { statistics.framesDropped += 1 }
    if closedByFault {
      statistics.recoveries += 1
      closedByFault = false
    }
    return change(to: .streaming)
  }

  /// A fault happened; `closesDevice` tells whether the session ended because of it.
  /// Returns the new state if this changed it.
  package mutating func fault(_ error: CaptureError, closesDevice: Bool, whileOpening: Bool) -> State? {
    statistics.faults[error.code.name, default: 0] += 1
    switch error.code {
    case .corruptBuffer: statistics.corruptBuffers += 1
    case .stalled: statistics.stalls += 1
    case .deviceUnplugged where !whileOpening: statistics.unplugs += 1
    case .formatRefused: statistics.formatRefusals += 1
    default: break
    }
    if whileOpening { statistics.failedOpens += 1 }
    if closesDevice { closedByFault = true }
    return change(to: .faulted(error.code))
  }

  private mutating func change(to new: State) -> State? {
    guard new != state else { return nil }
    state = new
    return new
  }
}
