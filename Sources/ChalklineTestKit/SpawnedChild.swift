// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Synchronization

/// Starting and reaping: `posix_spawn` with a cleared signal mask and default dispositions: a child started from a test thread (whose
/// signals the test runtime blocks) would otherwise inherit the blocked SIGTERM and never stop.
extension SpawnedChild {
  fileprivate static func reap(_ pid: pid_t, signal: Int32) {
    _ = Foundation.kill(pid, signal)
    var status: Int32 = 0
    for _ in 0..<200 {
      if waitpid(pid, &status, WNOHANG) != 0 { return }
      Thread.sleep(forTimeInterval: 0.01)
    }
    _ = Foundation.kill(pid, SIGKILL)
    _ = waitpid(pid, &status, 0)
  }

  fileprivate static func spawn(_ arguments: [String]) throws -> pid_t {
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

/// A child process a gpsd test helper started and owns: at most one at a time, ended and reaped by
/// ``end(signal:)`` or, at the latest, when the owner goes away.
final class SpawnedChild: Sendable {
  private let pid = Mutex<pid_t?>(nil)

  /// Starts `arguments` (ending a child still running).
  func start(_ arguments: [String]) throws {
    end(signal: SIGKILL)
    let started = try Self.spawn(arguments)
    pid.withLock { $0 = started }
  }

  /// Waits until something accepts connections on loopback `port`; throws when the child exits first, or after
  /// `seconds` (the child is then killed). `name` names it in the error.
  func waitUntilListening(on port: Int, within seconds: Double, name: String) throws {
    let deadline = Date().addingTimeInterval(seconds)
    var status: Int32 = 0
    while Date() < deadline {
      if GPSDSocket.canConnect(port: port) { return }
      if let running = pid.withLock({ $0 }), waitpid(running, &status, WNOHANG) == running {
        pid.withLock { $0 = nil }
        throw GPSDProcess.Failure(
          description: "\(name) exited before listening on 127.0.0.1:\(port) (wait status \(status))")
      }
      Thread.sleep(forTimeInterval: 0.01)
    }
    end(signal: SIGKILL)
    throw GPSDProcess.Failure(description: "\(name) did not listen on 127.0.0.1:\(port) within \(Int(seconds)) s")
  }

  /// Sends `signal` (then SIGKILL if the child lingers) and reaps it; nothing when no child runs.
  func end(signal: Int32) {
    guard
      let running = pid.withLock({ current -> pid_t? in
        defer { current = nil }; return current
      })
    else { return }
    Self.reap(running, signal: signal)
  }

  deinit { end(signal: SIGKILL) }
}
