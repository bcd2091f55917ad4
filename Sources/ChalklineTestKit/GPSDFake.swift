// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// gpsd's own replay tool: `gpsfake -q -n -c CYCLE -P PORT LOG`, which feeds a log to a gpsd of its own through a
/// pseudo-terminal (the serial-port path, unlike ``GPSDFeeder``'s TCP source).
///
/// Slower to start than ``GPSDProcess`` (about 0.5 s until gpsd listens, more under load), and it starts feeding at
/// once, so a client that connects late misses the first epochs. Needs the `gpsd-clients` and `python3-gps`
/// packages.
public final class GPSDFake: @unchecked Sendable {
  // @unchecked: `pid` is cleared only under `lock`.
  /// The port its gpsd serves clients on.
  public let port: Int
  private let lock = NSLock()
  private var pid: pid_t?

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
    let started = try GPSDSpawn.spawn([
      executable, "-q", "-n", "-c", String(cycle), "-P", String(port), log.path,
    ])
    pid = started
    let deadline = Date().addingTimeInterval(20)
    var status: Int32 = 0
    while Date() < deadline {
      if GPSDSocket.canConnect(port: port) { return }
      if waitpid(started, &status, WNOHANG) == started {
        pid = nil
        throw GPSDProcess.Failure(description: "gpsfake exited before its gpsd listened (wait status \(status))")
      }
      Thread.sleep(forTimeInterval: 0.02)
    }
    stop()
    throw GPSDProcess.Failure(description: "gpsfake's gpsd did not listen on 127.0.0.1:\(port) within 20 s")
  }

  /// Stops gpsfake (SIGTERM; it stops its gpsd) and reaps it.
  public func stop() {
    guard
      let pid = lock.withLock({ () -> pid_t? in
        defer { self.pid = nil }; return self.pid
      })
    else { return }
    GPSDSpawn.reap(pid, signal: SIGTERM)
  }

  deinit {
    if let pid { GPSDSpawn.reap(pid, signal: SIGKILL) }
  }
}
