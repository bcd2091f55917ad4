// SPDX-License-Identifier: AGPL-3.0-or-later

/// Decides whether the agent may tell systemd's watchdog it is alive: only when the pipeline
/// made progress since the last look, never on a timer alone, so a stalled stage gets the agent
/// restarted.
///
/// Progress is a frame read, or — when the pipeline thread sits idle with nothing queued — an
/// event from the frame source (a frame or a fault it survived: a camera being reopened after an
/// unplug is alive). A pipeline thread stuck inside a frame, or a source that went silent, makes
/// no progress, and the watchdog fires after `WatchdogSec`. A slow reader (one frame every few
/// looks) pings at each frame; only after `patience` without progress is the pipeline called
/// stalled (for the log and the status alarms).
public struct WatchdogGate: Sendable, Equatable {
  /// What the daemon sees at one look.
  public struct Observation: Sendable, Equatable {
    /// Frames the pipeline has finished reading, ever.
    public var framesRead: Int
    /// Events the frame source has delivered (frames and faults), ever.
    public var sourceEvents: Int
    /// Whether the pipeline thread is waiting for work with nothing queued.
    public var pipelineIdle: Bool

    public init(framesRead: Int, sourceEvents: Int, pipelineIdle: Bool) {
      self.framesRead = framesRead
      self.sourceEvents = sourceEvents
      self.pipelineIdle = pipelineIdle
    }
  }

  /// How the pipeline is doing.
  public enum Verdict: String, Sendable, Equatable {
    /// Progress within the patience.
    case progressing
    /// Frames or faults arrive but the pipeline thread finished none for longer than the patience.
    case pipelineStalled = "pipeline-stalled"
    /// Nothing arrived from the frame source for longer than the patience.
    case sourceSilent = "source-silent"
  }

  /// What one look decided.
  public struct Decision: Sendable, Equatable {
    /// Whether to send `WATCHDOG=1` now.
    public var ping: Bool
    public var verdict: Verdict
  }

  /// How long without progress before the verdict is a stall, seconds.
  public let patience: Double
  private var last: Observation?
  private var lastProgress = 0.0

  /// - Parameter patience: seconds without progress before a stall is declared (half the
  ///   watchdog timeout is a good value: the watchdog itself fires at the full timeout).
  public init(patience: Double) { self.patience = patience }

  /// Looks at `observation` taken at `now` (seconds on any monotonic clock).
  public mutating func look(at observation: Observation, now: Double) -> Decision {
    defer { last = observation }
    guard let last else {
      lastProgress = now
      return Decision(ping: true, verdict: .progressing)
    }
    let progressed =
      observation.framesRead > last.framesRead
      || (observation.pipelineIdle && observation.sourceEvents > last.sourceEvents)
    if progressed {
      lastProgress = now
      return Decision(ping: true, verdict: .progressing)
    }
    guard now - lastProgress > patience else { return Decision(ping: false, verdict: .progressing) }
    return Decision(ping: false, verdict: observation.pipelineIdle ? .sourceSilent : .pipelineStalled)
  }
}
