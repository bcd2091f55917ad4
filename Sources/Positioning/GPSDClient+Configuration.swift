// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

extension GPSDClient {
  /// Where gpsd is and how the client behaves.
  public struct Configuration: Sendable, Equatable {
    /// gpsd's host name or address.
    public var host: String
    /// gpsd's TCP port.
    public var port: Int
    /// First wait before reconnecting after gpsd went away or refused, seconds; doubles up to ``maxBackoff``.
    public var initialBackoff: TimeInterval
    /// Longest wait between reconnection attempts, seconds.
    public var maxBackoff: TimeInterval
    /// After this long without a report, the epoch being merged is handed out, seconds.
    public var epochQuietTime: TimeInterval
    /// Events kept for a slow consumer before the oldest are dropped.
    public var bufferSize: Int
    /// Whether every JSON line from gpsd is also delivered (``GPSDEvent/line(_:)``), to record `gps.jsonl`.
    public var forwardsLines: Bool

    /// Makes a configuration; gpsd's default address is `127.0.0.1:2947`.
    public init(
      host: String = "127.0.0.1", port: Int = 2947, initialBackoff: TimeInterval = 0.1, maxBackoff: TimeInterval = 5,
      epochQuietTime: TimeInterval = 0.15, bufferSize: Int = 256, forwardsLines: Bool = false
    ) {
      self.host = host
      self.port = port
      self.initialBackoff = initialBackoff
      self.maxBackoff = maxBackoff
      self.epochQuietTime = epochQuietTime
      self.bufferSize = bufferSize
      self.forwardsLines = forwardsLines
    }
  }
}

/// What the gpsd client tells its consumer.
public enum GPSDEvent: Sendable, Equatable {
  /// One receiver epoch's fix (merged from gpsd's TPVs of that epoch), any mode; gate it with ``FixQuality``.
  case fix(Fix)
  /// The receiver's state changed; sent once per change.
  case state(GPSDState)
  /// One JSON line exactly as gpsd sent it (only with ``GPSDClient/Configuration/forwardsLines``).
  case line(String)
}

/// The state of the position source as a technician would describe it.
public enum GPSDState: String, Sendable, Equatable, CustomStringConvertible {
  /// gpsd cannot be reached (not running, wrong address, restarting).
  case noGPSD = "no-gpsd"
  /// gpsd answers but reports no position (no receiver, no sky view, cold start).
  case noFix = "no-fix"
  /// A 2D fix.
  case fix2D = "2d"
  /// A 3D fix.
  case fix3D = "3d"

  public var description: String { rawValue }
}
