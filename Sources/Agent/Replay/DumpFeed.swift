// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import Dump
import Foundation
import Logging
import Positioning

/// A frame dump into the pipeline's ``FrameQueue``: the one way a dump is replayed, by
/// `chalkline replay` and by the daemon's replay hook alike, read by the same ``PipelineWorker``
/// as the road.
///
/// Each of the dump's fixes goes in before the first frame filmed at or after it, so a frame is
/// read with every fix before it, exactly as recorded. A fast replay waits for room in the queue
/// (none of its frames is dropped); a realtime one drops like the road when the reader lags.
/// Looping, each round's clock (and frame numbers) follow on from the last round's, so time only
/// goes forward.
public struct DumpFeed: Sendable {
  /// What went in, for a summary.
  public struct Tally: Sendable {
    /// The first and last frame fed (shifted by the rounds of a loop).
    public var first: Date?
    public var last: Date?
    /// Seconds of film: the gaps between frames, pauses of 10 s or more (between passes) left out.
    public var filmed = 0.0
    /// Frames and fixes fed.
    public var frames = 0
    public var fixes = 0
    /// The dump's damage, one line each (first round only).
    public var faults: [String] = []
  }

  /// What the feed just did, for a status board.
  public enum Event: Sendable { case frame, fault, fix }

  public var directory: String
  public var pace: DumpFrameSource.Pace
  /// The dump's fixes in time order (see ``fixes(in:logger:)``); empty when fixes come from gpsd.
  public var fixes: [Fix]
  /// Only the frames filmed in this span are fed (nil: all).
  public var span: Range<Date>?
  /// Whether the dump starts over at its end.
  public var loop = false
  public var logger: Logger

  public init(directory: String, pace: DumpFrameSource.Pace, fixes: [Fix], logger: Logger) {
    self.directory = directory
    self.pace = pace
    self.fixes = fixes
    self.logger = logger
  }

  /// Feeds the dump into `queue` until its end (every round of a loop), the queue's close or
  /// cancellation; the fixes after the last frame go in at the end. Does not close the queue.
  public func run(into queue: FrameQueue, observe: @Sendable (Event) -> Void = { _ in }) async -> Tally {
    var tally = Tally()
    var shift: TimeInterval = 0
    var sequenceOffset: UInt64 = 0
    var pending = fixes[...]
    func feedFixes(upTo time: Date?) {
      while let fix = pending.first, time.map({ fix.time <= $0 }) ?? true {
        var shifted = fix
        shifted.time += shift
        queue.push(shifted)
        pending.removeFirst()
        tally.fixes += 1
        observe(.fix)
      }
    }
    rounds: while true {
      pending = fixes[...]
      var roundFirst: Date?
      var roundLast: Date?
      var lastSequence: UInt64 = 0
      for await event in DumpFrameSource(directory: directory, pace: pace, logger: logger).events() {
        switch event {
        case .frame(var frame):
          if let span, !span.contains(frame.time) { continue }
          roundFirst = roundFirst ?? frame.time
          roundLast = frame.time
          feedFixes(upTo: frame.time)
          // The first round keeps the dump's own numbers; later rounds count on from there.
          lastSequence = frame.sequence
          frame.time += shift
          frame.sequence += sequenceOffset
          if let last = tally.last, frame.time.timeIntervalSince(last) < 10 {
            tally.filmed += frame.time.timeIntervalSince(last)
          }
          tally.first = tally.first ?? frame.time
          tally.last = frame.time
          let accepted = pace == .fast ? await queue.pushWhenRoom(frame) : queue.push(frame)
          guard accepted else { break rounds }
          tally.frames += 1
          observe(.frame)
        case .fault(let fault):
          queue.sourceFault()
          if shift == 0 { tally.faults.append("\(fault)") }
          observe(.fault)
        }
      }
      guard loop, let roundFirst, let roundLast, !Task.isCancelled else { break }
      // One frame interval after the last frame, so the next round's first frame follows it.
      shift += roundLast.timeIntervalSince(roundFirst) + 0.1
      sequenceOffset += lastSequence + 1
      logger.debug("replay dump starts over", metadata: ["dump.directory": "\(directory)"])
    }
    if !Task.isCancelled { feedFixes(upTo: nil) }
    return tally
  }

  /// The dump's GPS fixes (its gps.jsonl, read by Positioning's ``GPSDLog``), in time order; a
  /// dump without GPS replays with no positions.
  public static func fixes(in dump: URL, logger: Logger) -> [Fix] {
    let url = dump.appendingPathComponent("gps.jsonl")
    guard FileManager.default.fileExists(atPath: url.path) else {
      logger.warning("dump has no gps.jsonl: no sighting will have a position", metadata: ["dump": "\(dump.path)"])
      return []
    }
    do {
      let log = try GPSDLog(contentsOf: url)
      if log.malformedLines > 0 {
        logger.warning(
          "malformed gps.jsonl lines skipped",
          metadata: [
            "count": "\(log.malformedLines)", "first.line": "\(log.firstMalformedLine ?? 0)", "file": "\(url.path)",
          ])
      }
      return log.fixes.sorted { $0.time < $1.time }
    } catch {
      logger.error("gps.jsonl unreadable: no sighting will have a position", metadata: ["error": "\(error)"])
      return []
    }
  }
}
