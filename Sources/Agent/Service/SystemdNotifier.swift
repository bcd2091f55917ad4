// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Tells systemd how the agent is doing (`sd_notify(3)`): one datagram to `$NOTIFY_SOCKET`.
///
/// Hand-rolled rather than linked to libsystemd, which would pull in libgcrypt, liblz4 and
/// libzstd for twenty lines of socket code (and `sd_notifyf` is variadic, so Swift cannot call
/// it). Outside systemd (`NOTIFY_SOCKET` unset) every call does nothing and returns false.
public struct SystemdNotifier: Sendable {
  /// The socket systemd listens on; `@name` is an abstract socket. Nil outside a notify unit.
  public let socketPath: String?
  /// How often systemd expects `WATCHDOG=1` (`$WATCHDOG_USEC`), if the watchdog is on for this process.
  public let watchdogTimeout: Duration?

  /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `environment`.
  public init(environment: [String: String] = ProcessInfo.processInfo.environment, pid: Int32 = getpid()) {
    let path = environment["NOTIFY_SOCKET"] ?? ""
    socketPath = path.isEmpty ? nil : path
    // WATCHDOG_PID names the process the watchdog is meant for; a child that inherited the
    // environment must not ping on its parent's behalf.
    if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
      environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == pid }) ?? true
    {
      watchdogTimeout = .microseconds(usec)
    } else {
      watchdogTimeout = nil
    }
  }

  /// Whether systemd is listening.
  public var isEnabled: Bool { socketPath != nil }

  /// `READY=1`: start-up is finished (Type=notify units become active now).
  @discardableResult public func ready(status: String? = nil) -> Bool {
    send(["READY=1"] + (status.map { ["STATUS=\($0)"] } ?? []))
  }

  /// `STATUS=…`: one line `systemctl status` shows.
  @discardableResult public func status(_ text: String) -> Bool { send(["STATUS=\(Self.oneLine(text))"]) }

  /// `WATCHDOG=1`: the agent is alive and making progress.
  @discardableResult public func watchdog() -> Bool { send(["WATCHDOG=1"]) }

  /// `RELOADING=1`: a reload began; `READY=1` follows when it is done.
  @discardableResult public func reloading() -> Bool { send(["RELOADING=1"]) }

  /// `STOPPING=1`: shutdown began.
  @discardableResult public func stopping() -> Bool { send(["STOPPING=1"]) }

  /// Sends `assignments` (`KEY=value`, one a line) in one datagram.
  @discardableResult public func send(_ assignments: [String]) -> Bool {
    guard let socketPath, !assignments.isEmpty else { return false }
    return Self.send(assignments.joined(separator: "\n"), to: socketPath)
  }

  /// A status line must not contain a newline: it would start a new assignment.
  static func oneLine(_ text: String) -> String {
    text.replacingOccurrences(of: "\n", with: " ")
  }

  /// One datagram to the unix socket at `path` (a leading `@` is the abstract namespace).
  static func send(_ message: String, to path: String) -> Bool {
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var bytes = Array(path.utf8)
    if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    // An abstract address is exactly as long as its name; a path one includes its terminator.
    let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
    let payload = Array(message.utf8)
    let sent = payload.withUnsafeBytes { buffer in
      withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddress in
          // Never wait for systemd: a full socket drops this message (the next STATUS or
          // WATCHDOG follows within seconds) rather than blocking the daemon's tick.
          SystemCall.retryingInterrupts {
            sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT), sockaddress, length)
          }
        }
      }
    }
    return sent == payload.count
  }
}
