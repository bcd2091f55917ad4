// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineModel
import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Replays a frame dump through the same pipeline as the camera.
///
/// `.fast` follows the dump's clock but goes as fast as the consumer takes frames (the
/// sequence only reads the next frame when asked); `.realtime` waits between frames as long as
/// they were apart when recorded, except that a pause of more than 10 s (between two passes of a
/// patrol) is cut to one frame interval. Damage is skipped or ends the replay, as `DumpReader` says,
/// and each fault is logged.
public struct DumpFrameSource: FrameSource {
  /// How fast to replay.
  public enum Pace: String, Sendable, CaseIterable {
    /// As fast as the consumer goes.
    case fast
    /// At the speed it was recorded (pauses in the recording cut short).
    case realtime
  }

  /// The dump directory.
  public let directory: String
  /// The replay pace.
  public let pace: Pace
  private let logger: Logger

  /// Creates a replay of the dump in `directory`.
  public init(directory: String, pace: Pace, logger: Logger) {
    self.directory = directory
    self.pace = pace
    self.logger = logger
  }

  /// Starts the replay from the first frame.
  public func events() -> DumpReplay {
    DumpReplay(directory: directory, pace: pace, logger: logger)
  }
}

/// The replay's event sequence.
public struct DumpReplay: AsyncSequence, Sendable {
  public typealias Element = FrameEvent
  public typealias Failure = Never
  let directory: String
  let pace: DumpFrameSource.Pace
  let logger: Logger

  public func makeAsyncIterator() -> Iterator {
    Iterator(reader: DumpReader(directory: directory), pace: pace, logger: logger)
  }

  /// Reads frames on demand and paces them.
  public struct Iterator: AsyncIteratorProtocol {
    var reader: DumpReader
    let pace: DumpFrameSource.Pace
    let logger: Logger
    var schedule = RealtimeSchedule()
    var start: ContinuousClock.Instant?

    public mutating func next() async -> FrameEvent? {
      guard !Task.isCancelled, let event = reader.next() else { return nil }
      switch event {
      case .fault(let error):
        logger.warning(
          "\(error.message)", metadata: ["dump.directory": "\(reader.directory)", "dump.fault": "\(error.code)"])
      case .frame(let frame):
        guard pace == .realtime else { break }
        let offset = schedule.offset(ofFrameAt: frame.time.timeIntervalSince1970)
        if let start {
          try? await Task.sleep(until: start + .milliseconds(Int64((offset * 1000).rounded())), clock: .continuous)
          if Task.isCancelled { return nil }
        } else {
          start = .now
        }
      }
      return event
    }
  }
}

/// When each frame of a realtime replay is due, in seconds after the first: as far apart as they
/// were recorded, except that a pause of more than `longestWait` (between two passes of a patrol)
/// is cut to `resumeInterval`.
public struct RealtimeSchedule: Sendable {
  /// Longer pauses between frames are cut short.
  public static let longestWait = 10.0
  /// The wait after a pause that was cut short, seconds.
  public static let resumeInterval = 0.1
  private var first: Double?
  private var previous: Double?
  private var skipped = 0.0

  public init() {}

  /// The offset of the frame recorded at `time` (seconds since 1970), frames in order.
  public mutating func offset(ofFrameAt time: Double) -> Double {
    guard let first, let previous else {
      self.first = time
      self.previous = time
      return 0
    }
    if time - previous > Self.longestWait { skipped += time - previous - Self.resumeInterval }
    self.previous = time
    return time - first - skipped
  }
}
