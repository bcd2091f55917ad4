// SPDX-License-Identifier: AGPL-3.0-or-later

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
    var origin: (dump: Double, clock: ContinuousClock.Instant)?
    var previous: Double?
    /// Longer pauses between frames are cut short in real time.
    static let longestWait = 10.0
    /// The wait after a pause that was cut short, seconds.
    static let resumeInterval = 0.1

    public mutating func next() async -> FrameEvent? {
      guard !Task.isCancelled, let event = reader.next() else { return nil }
      switch event {
      case .fault(let error):
        logger.warning(
          "\(error.message)", metadata: ["dump.directory": "\(reader.directory)", "dump.fault": "\(error.code)"])
      case .frame(let frame):
        guard pace == .realtime else { break }
        let t = frame.time.timeIntervalSince1970
        if let origin {
          // A pause in the recording (between two passes) is not waited out: the next frame
          // follows one frame interval after the last.
          if let previous, t - previous > Self.longestWait {
            self.origin = (origin.dump + (t - previous) - Self.resumeInterval, origin.clock)
          }
          previous = t
          let origin = self.origin ?? origin
          let due = origin.clock + .milliseconds(Int64(((t - origin.dump) * 1000).rounded()))
          try? await Task.sleep(until: due, clock: .continuous)
          if Task.isCancelled { return nil }
        } else {
          origin = (t, .now)
          previous = t
        }
      }
      return event
    }
  }
}
