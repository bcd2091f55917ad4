// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// A real gpsd for a test: `gpsd -N -n -S PORT tcp://127.0.0.1:FEED`, in the foreground, on a loopback port,
/// reading its receiver from a ``GPSDFeeder``. Never the system service.
public final class GPSDProcess: Sendable {
  /// The port gpsd serves clients on.
  public let port: Int
  /// The feeder's port gpsd reads its receiver from.
  public let feedPort: Int
  private let child = SpawnedChild()

  /// What went wrong starting gpsd.
  public struct Failure: Error, CustomStringConvertible {
    public var description: String
  }

  /// The gpsd executable: `$GPSD`, else the first of /usr/sbin/gpsd, /usr/local/sbin/gpsd.
  public static var executable: String? {
    if let path = ProcessInfo.processInfo.environment["GPSD"] { return path }
    return ["/usr/sbin/gpsd", "/usr/local/sbin/gpsd"].first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Starts gpsd reading from `feedPort` and waits until it accepts clients: on `port` when given (a client may
  /// already be trying it), else on a free port.
  public init(feedPort: Int, port fixedPort: Int? = nil) throws {
    self.feedPort = feedPort
    var lastError: (any Error)?
    // A free port may be taken between probing and gpsd binding it; try a few.
    for _ in 0..<(fixedPort == nil ? 5 : 1) {
      let candidate = try fixedPort ?? GPSDSocket.freePort()
      do {
        try Self.launch(child, port: candidate, feedPort: feedPort)
        port = candidate
        return
      } catch {
        lastError = error
      }
    }
    throw lastError ?? Failure(description: "gpsd did not start")
  }

  /// A loopback port that was free a moment ago, for a gpsd a client should find later.
  public static func freePort() throws -> Int { try GPSDSocket.freePort() }

  /// Kills gpsd (SIGKILL: no goodbye to clients) and reaps it.
  public func kill() { child.end(signal: SIGKILL) }

  /// Starts gpsd again on the same port.
  public func restart() throws {
    kill()
    try Self.launch(child, port: port, feedPort: feedPort)
  }

  /// Stops gpsd (SIGTERM, then SIGKILL if it lingers) and reaps it.
  public func stop() { child.end(signal: SIGTERM) }

  private static func launch(_ child: SpawnedChild, port: Int, feedPort: Int) throws {
    guard let executable else {
      throw Failure(description: "gpsd not found: apt-get install gpsd, or set GPSD to its path")
    }
    try child.start([executable, "-N", "-n", "-S", String(port), "tcp://127.0.0.1:\(feedPort)"])
    try child.waitUntilListening(on: port, within: 10, name: "gpsd")
  }
}

/// Runs `body` with a real gpsd fed by `feeder`; stops both afterwards.
///
/// The feeder sends nothing until released, so a client can connect and watch before the first byte reaches gpsd
/// (gpsd does not replay what a late watcher missed).
public func withGPSD<T>(
  feeder: GPSDFeeder, _ body: (_ gpsd: GPSDProcess) async throws -> T
) async throws -> T {
  let gpsd = try GPSDProcess(feedPort: feeder.port)
  defer {
    gpsd.stop()
    feeder.close()
  }
  return try await body(gpsd)
}
