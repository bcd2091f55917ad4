// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import DequeModule
import Enforcement
import Positioning

/// What the pipeline thread takes next from the queue between capture and reading.
public enum PipelineWork: Sendable {
  /// A GPS fix, in the order gpsd sent it.
  case fix(Fix)
  /// A frame to read, with the instant it entered the queue (the start of its frame→decision
  /// latency); nil for a frame that waited for room (a fast replay), whose latency starts when
  /// the pipeline takes it, as if it had come just then.
  case frame(Frame, arrived: ContinuousClock.Instant?)
  /// The frame source survived this many faults since the last take.
  case sourceFaults(Int)
  /// New zones to enforce from the next frame on (a reload).
  case zones(ZoneSet)
  /// A newer verified permit list to enforce from the next frame on.
  case permits(PermitsInForce)
  /// The daemon's retention tick: forget on the extrapolated clock if no source kept it current
  /// (``PatrolPipeline/retentionTick(wallClock:)``).
  case retentionTick
}

/// The queue's logic without its lock: a bounded lane of frames that keeps the newest and
/// counts what it drops, a bounded lane of fixes (which are small and come a few a second), and
/// a count of source faults. Work leaves in time order: a fix goes before every frame taken
/// after it, never earlier (a source running ahead of the reader must not hand the pipeline
/// tomorrow's position for today's frame).
///
/// Only frames are ever dropped, never a sighting or its evidence: those exist only after a
/// frame was read.
public struct FrameQueueState: Sendable {
  /// Frames waiting at most; the oldest goes when another arrives.
  public let frameCapacity: Int
  /// Fixes waiting at most.
  public let fixCapacity: Int
  private var frames: Deque<(frame: Frame, arrived: ContinuousClock.Instant?)> = []
  private var fixes: Deque<Fix> = []
  private var faults = 0
  private var zones: ZoneSet?
  private var permits: PermitsInForce?
  private var retentionTickRequested = false
  /// Frames dropped because the reader lagged.
  public private(set) var droppedFrames = 0
  /// Fixes dropped because the reader lagged.
  public private(set) var droppedFixes = 0
  /// Frames put in so far.
  public private(set) var framesIn = 0
  /// No more input; takes drain what is left.
  public private(set) var isClosed = false

  public init(frameCapacity: Int, fixCapacity: Int = 256) {
    precondition(frameCapacity > 0 && fixCapacity > 0, "a queue needs room for one item")
    self.frameCapacity = frameCapacity
    self.fixCapacity = fixCapacity
  }

  /// Frames waiting now.
  public var depth: Int { frames.count }

  /// Whether another frame fits without dropping one.
  public var hasRoom: Bool { depth < frameCapacity }

  /// Whether nothing waits.
  public var isEmpty: Bool {
    depth == 0 && fixes.isEmpty && faults == 0 && zones == nil && permits == nil && !retentionTickRequested
  }

  /// Adds a frame; returns false if the queue is closed. When full, the oldest waiting frame goes.
  public mutating func push(_ frame: Frame, arrived: ContinuousClock.Instant? = .now) -> Bool {
    guard !isClosed else { return false }
    framesIn += 1
    if depth == frameCapacity {
      frames.removeFirst()
      droppedFrames += 1
    }
    frames.append((frame, arrived))
    return true
  }

  /// Adds a fix; returns false if the queue is closed.
  public mutating func push(_ fix: Fix) -> Bool {
    guard !isClosed else { return false }
    if fixes.count == fixCapacity {
      fixes.removeFirst()
      droppedFixes += 1
    }
    fixes.append(fix)
    return true
  }

  /// New zones, taken before any waiting frame (only the newest counts); false if closed.
  public mutating func push(zones newZones: ZoneSet) -> Bool {
    guard !isClosed else { return false }
    zones = newZones
    return true
  }

  /// A newer permit list, taken before any waiting frame (only the newest counts); false if closed.
  public mutating func push(permits newPermits: PermitsInForce) -> Bool {
    guard !isClosed else { return false }
    permits = newPermits
    return true
  }

  /// Asks for a retention tick, taken before any waiting fix or frame (requests coalesce: one
  /// waits at most, so ticks never crowd out frames); false if closed.
  public mutating func requestRetentionTick() -> Bool {
    guard !isClosed else { return false }
    retentionTickRequested = true
    return true
  }

  /// Counts a fault the source survived.
  public mutating func sourceFault() {
    if !isClosed { faults += 1 }
  }

  /// The next piece of work: new zones, a newer permit list, pending faults, a retention tick;
  /// then the oldest fix if no waiting frame is older than it; then the oldest waiting frame.
  public mutating func take() -> PipelineWork? {
    if let pending = zones {
      zones = nil
      return .zones(pending)
    }
    if let pending = permits {
      permits = nil
      return .permits(pending)
    }
    if faults > 0 {
      defer { faults = 0 }
      return .sourceFaults(faults)
    }
    if retentionTickRequested {
      retentionTickRequested = false
      return .retentionTick
    }
    if let fix = fixes.first, frames.first.map({ fix.time <= $0.frame.time }) ?? true {
      fixes.removeFirst()
      return .fix(fix)
    }
    guard let entry = frames.popFirst() else { return nil }
    return .frame(entry.frame, arrived: entry.arrived)
  }

  /// Stops input; what is waiting can still be taken.
  public mutating func close() { isClosed = true }
}
