// SPDX-License-Identifier: AGPL-3.0-or-later

import Logging
import ServiceLifecycle

/// One stage of the daemon as a swift-service-lifecycle `Service` in the daemon's
/// `ServiceGroup`. `body` runs until it returns. At a graceful shutdown `stop` is called (the
/// pipeline closes its queue and drains it), or without one the body is cancelled (the sources,
/// the status tick); `after` runs once the body is done, unless the group was cancelled (the
/// uplink's last sync). Each stage logs when it stopped, so the order can be seen.
struct DaemonStage: Service, CustomStringConvertible {
  let name: String
  let logger: Logger
  let body: @Sendable () async -> Void
  var stop: (@Sendable () -> Void)?
  var after: (@Sendable () async -> Void)?

  init(_ name: String, logger: Logger, body: @escaping @Sendable () async -> Void) {
    self.name = name
    self.logger = logger
    self.body = body
  }

  var description: String { name }

  func run() async {
    if let stop {
      await withGracefulShutdownHandler {
        await body()
      } onGracefulShutdown: {
        stop()
      }
    } else {
      try? await cancelWhenGracefulShutdown { await body() }
    }
    if let after, !Task.isCancelled { await after() }
    logger.debug("daemon stage stopped", metadata: ["stage": "\(name)"])
  }
}
