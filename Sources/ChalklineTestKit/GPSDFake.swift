// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// gpsd's own replay tool: `gpsfake -q -n -c CYCLE -P PORT LOG`, which feeds a log to a gpsd of its own through a
/// pseudo-terminal (the serial-port path, unlike ``GPSDFeeder``'s TCP source).
///
/// Slower to start than ``GPSDProcess`` (about 0.5 s until gpsd listens, more under load), and it starts feeding at
/// once, so a client that connects late misses the first epochs. Needs the `gpsd-clients` and `python3-gps`
/// packages.
public final class GPSDFake: Sendable {
  /// The port its gpsd serves clients on.
  public let port: Int
  private let child = SpawnedChild()

  /// The gpsfake executable, if installed.
  public static var executable: String? {
    ["/usr/bin/gpsfake", "/usr/local/bin/gpsfake"].first { FileManager.default.isExecutableFile(atPath: $0) }
  }

  /// Starts gpsfake on `log`, `cycle` seconds between sentences, and waits until its gpsd accepts clients.
  public init(log: URL, cycle: TimeInterval = 0.01) throws {
    guard let executable = Self.executable else {
      throw GPSDProcess.Failure(description: "gpsfake not found: apt-get install gpsd-clients python3-gps")
    }
    port = try GPSDSocket.freePort()
    try child.start([executable, "-q", "-n", "-c", String(cycle), "-P", String(port), log.path])
    try child.waitUntilListening(on: port, within: 20, name: "gpsfake's gpsd")
  }

  /// Stops gpsfake (SIGTERM; it stops its gpsd) and reaps it.
  public func stop() { child.end(signal: SIGTERM) }
}
