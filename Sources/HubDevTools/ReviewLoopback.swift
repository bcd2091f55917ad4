// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Hub
import Logging
import Synchronization

extension LoopbackHub {
  /// Runs the hub (device and review listeners, each on a free port) for the duration of `body`,
  /// which receives both ports.
  public func serveWithReview<T: Sendable>(
    logger: Logger, _ body: @Sendable (_ devicePort: Int, _ reviewPort: Int) async throws -> T
  ) async throws -> T {
    let server = HubServer(service: try service(logger: logger), logger: logger)
    let (ports, continuation) = AsyncStream.makeStream(of: (Int, Int).self)
    let devicePort = PortBox()
    return try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask {
        defer { continuation.finish() }
        try await server.run(
          onReady: { port in devicePort.port.withLock { $0 = port } },
          onReviewReady: { port in
            // The device listener starts first; wait for it so both ports are known.
            while devicePort.port.withLock({ $0 }) == nil, !Task.isCancelled {
              try? await Task.sleep(for: .milliseconds(10))
            }
            continuation.yield((devicePort.port.withLock { $0 } ?? 0, port))
          })
        return nil
      }
      var iterator = ports.makeAsyncIterator()
      guard let (device, review) = await iterator.next() else {
        try await group.next().map { _ in () }
        throw HubError(.tls, "The loopback hub did not start.")
      }
      let result = try await body(device, review)
      group.cancelAll()
      while let _ = try await group.next() {}
      return result
    }
  }
}

/// The device listener's port, once known.
final class PortBox: Sendable {
  let port = Mutex<Int?>(nil)
}
