// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Logging

/// A gpsd client on libgps: connects, watches in JSON mode, merges each epoch's TPVs into one ``Fix``, and
/// reconnects with backoff when gpsd goes away.
///
/// The blocking `gps_waiting`/`gps_read` loop runs on a thread of its own and delivers into an `AsyncStream` that
/// keeps the newest ``Configuration/bufferSize`` events. The thread stops when the stream's consumer goes away.
/// JSON lines are decoded by ``GPSDReport`` (the same decoder that reads recorded logs), so live and replayed
/// positions cannot differ; libgps does the connection, the watch request and the line framing.
public final class GPSDClient: Sendable {
  /// Where gpsd is and how the client behaves.
  public let configuration: Configuration
  private let logger: Logger

  /// Makes a client; nothing connects until ``events()`` is called.
  public init(configuration: Configuration, logger: Logger) {
    self.configuration = configuration
    self.logger = logger
  }

  /// Starts the reading thread and returns its events. Each call starts its own connection.
  public func events() -> AsyncStream<GPSDEvent> {
    let (stream, continuation) = AsyncStream.makeStream(
      of: GPSDEvent.self, bufferingPolicy: .bufferingNewest(max(1, configuration.bufferSize)))
    let stop = StopFlag()
    continuation.onTermination = { _ in stop.set() }
    let loop = GPSDReadLoop(configuration: configuration, logger: logger, continuation: continuation, stop: stop)
    let thread = Thread { loop.run() }
    thread.name = "gpsd-client"
    thread.start()
    return stream
  }
}
