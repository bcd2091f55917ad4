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
