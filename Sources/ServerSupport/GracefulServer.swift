// SPDX-License-Identifier: AGPL-3.0-or-later
import Logging
import ServiceLifecycle
import UnixSignals

/// Runs an HTTP server (or any service) so that cancelling the calling task shuts it down
/// gracefully: it stops accepting, finishes the requests in flight and closes its connections.
/// Cancelling a NIO server outright while a connection it accepted waits to be served traps the
/// process ("Deinited NIOAsyncWriter without calling finish()", swift-nio#3481), so the agent's
/// metrics endpoint and the hub's listeners stop this way; a server that does not finish within
/// `gracePeriod` is cancelled after all.
public enum GracefulServer {
  /// Runs `service` until it ends, a signal in `signals` arrives, or the calling task is cancelled.
  public static func run(
    _ service: some Service, signals: [UnixSignal] = [], gracePeriod: Duration = .seconds(10), logger: Logger
  ) async throws {
    let group = ServiceGroup(
      configuration: .init(services: [service], gracefulShutdownSignals: signals, logger: logger))
    let running = Task { try await group.run() }
    try await withTaskCancellationHandler {
      try await running.value
    } onCancel: {
      Task {
        await group.triggerGracefulShutdown()
        try? await Task.sleep(for: gracePeriod)
        running.cancel()
      }
    }
  }
}
