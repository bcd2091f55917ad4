// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// A real gpsd for a test: `gpsd -N -n -S PORT tcp://127.0.0.1:FEED`, in the foreground, on a loopback port,
/// reading its receiver from a ``GPSDFeeder``. Never the system service.
public final class GPSDProcess: @unchecked Sendable {
  // @unchecked: `pid` is replaced only under `lock`.
  /// The port gpsd serves clients on.
  public let port: Int
  /// The feeder's port gpsd reads its receiver from.
  public let feedPort: Int
  private let lock = NSLock()
  private var pid: pid_t?

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
        let started = try Self.launch(port: candidate, feedPort: feedPort)
        port = candidate
        pid = started
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
  public func kill() {
    guard
      let pid = lock.withLock({ () -> pid_t? in
        defer { self.pid = nil }; return self.pid
      })
    else { return }
    GPSDSpawn.reap(pid, signal: SIGKILL)
  }

  /// Starts gpsd again on the same port.
  public func restart() throws {
    kill()
    let started = try Self.launch(port: port, feedPort: feedPort)
    lock.withLock { pid = started }
  }

  /// Stops gpsd (SIGTERM, then SIGKILL if it lingers) and reaps it.
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

  private static func launch(port: Int, feedPort: Int) throws -> pid_t {
    guard let executable else {
      throw Failure(description: "gpsd not found: apt-get install gpsd, or set GPSD to its path")
    }
    let pid = try GPSDSpawn.spawn([executable, "-N", "-n", "-S", String(port), "tcp://127.0.0.1:\(feedPort)"])
    let deadline = Date().addingTimeInterval(10)
    var status: Int32 = 0
    while Date() < deadline {
      if GPSDSocket.canConnect(port: port) { return pid }
      if waitpid(pid, &status, WNOHANG) == pid {
        throw Failure(description: "gpsd exited before listening on 127.0.0.1:\(port) (wait status \(status))")
      }
      Thread.sleep(forTimeInterval: 0.01)
    }
    GPSDSpawn.reap(pid, signal: SIGKILL)
    throw Failure(description: "gpsd did not listen on 127.0.0.1:\(port) within 10 s")
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

/// Starting and stopping helper processes for the gpsd test helpers.
///
/// `posix_spawn` with a cleared signal mask and default dispositions: a child started from a test thread (whose
/// signals the test runtime blocks) would otherwise inherit the blocked SIGTERM and never stop.
enum GPSDSpawn {
  static func reap(_ pid: pid_t, signal: Int32) {
    _ = Foundation.kill(pid, signal)
    var status: Int32 = 0
    for _ in 0..<200 {
      if waitpid(pid, &status, WNOHANG) != 0 { return }
      Thread.sleep(forTimeInterval: 0.01)
    }
    _ = Foundation.kill(pid, SIGKILL)
    _ = waitpid(pid, &status, 0)
  }

  static func spawn(_ arguments: [String]) throws -> pid_t {
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var empty = sigset_t()
    sigemptyset(&empty)
    var all = sigset_t()
    sigfillset(&all)
    posix_spawnattr_setsigmask(&attributes, &empty)
    posix_spawnattr_setsigdefault(&attributes, &all)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // gpsd complains about D-Bus on stderr on machines without a system bus; keep test output clean.
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
    guard rc == 0 else {
      throw GPSDProcess.Failure(description: "cannot start \(arguments[0]): \(String(cString: strerror(rc)))")
    }
    return pid
  }
}
