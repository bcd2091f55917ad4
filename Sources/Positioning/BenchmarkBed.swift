// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// A real gpsd on loopback, fed by an in-process NMEA receiver, for ``PositioningBenchmark``.
///
/// The test helpers in ChalklineTestKit do the same for tests; this copy exists because the benchmark ships in the
/// `chalkline` binary, which must not link test code.
final class BenchmarkBed: @unchecked Sendable {
  // @unchecked: mutable state is guarded by `lock`; descriptors are owned by the bed's threads.
  let feedPort: Int
  private(set) var gpsdPort = 0
  private let chunks: [Data]
  private let interval: TimeInterval
  private let listener: Int32
  private let lock = NSLock()
  private var next = 0
  private var released = false
  private var closed = false
  private var gpsd: pid_t?

  init(chunks: [Data], interval: TimeInterval) throws(PositioningError) {
    self.chunks = chunks
    self.interval = interval
    (listener, feedPort) = try Self.listen()
    let thread = Thread { [self] in acceptLoop() }
    thread.name = "bench-receiver"
    thread.start()
  }

  func release() { lock.withLock { released = true } }
  var isFinished: Bool { lock.withLock { next >= chunks.count } }

  /// Starts gpsd (on a new free port the first time, on the same port afterwards) and waits until it listens.
  func startGPSD() throws(PositioningError) {
    if gpsdPort == 0 { gpsdPort = try Self.freePortBelowEphemeralRange() }
    let executable = ["/usr/sbin/gpsd", "/usr/local/sbin/gpsd"].first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
    guard let executable else {
      throw PositioningError(code: .testBedFailed, message: "gpsd is not installed (apt-get install gpsd).")
    }
    let pid = try Self.spawn([executable, "-N", "-n", "-S", String(gpsdPort), "tcp://127.0.0.1:\(feedPort)"])
    lock.withLock { gpsd = pid }
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
      if Self.canConnect(port: gpsdPort) { return }
      Thread.sleep(forTimeInterval: 0.002)
    }
    throw PositioningError(code: .testBedFailed, message: "gpsd did not listen on 127.0.0.1:\(gpsdPort) in 10 s.")
  }

  /// Kills gpsd with SIGKILL and reaps it.
  func killGPSD() {
    guard
      let pid = lock.withLock({ () -> pid_t? in
        defer { gpsd = nil }; return gpsd
      })
    else { return }
    _ = kill(pid, SIGKILL)
    var status: Int32 = 0
    _ = waitpid(pid, &status, 0)
  }

  func shutdown() {
    killGPSD()
    lock.withLock { closed = true }
  }

  /// Whether ``shutdown()`` ran (the benchmark's watchdog uses it to end a run that hangs).
  var isClosed: Bool { lock.withLock { closed } }

  private func acceptLoop() {
    defer { _ = close(listener) }
    while !isClosed {
      var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
      guard poll(&p, 1, 50) > 0 else { continue }
      let fd = accept(listener, nil, nil)
      guard fd >= 0 else { continue }
      let thread = Thread { [self] in serve(fd) }
      thread.start()
    }
  }

  private func serve(_ fd: Int32) {
    defer { _ = close(fd) }
    var scratch = [UInt8](repeating: 0, count: 4_096)
    while !isClosed {
      var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      if poll(&p, 1, 0) > 0, recv(fd, &scratch, scratch.count, Int32(MSG_DONTWAIT)) == 0 { return }
      let chunk: Data? = lock.withLock { released && next < chunks.count ? chunks[next] : nil }
      guard let chunk else {
        Thread.sleep(forTimeInterval: 0.005)
        continue
      }
      let sent = chunk.withUnsafeBytes { raw -> Bool in
        var offset = 0
        while offset < raw.count {
          let n = send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
          if n < 0, errno == EINTR { continue }
          guard n > 0 else { return false }
          offset += n
        }
        return true
      }
      guard sent else { return }
      lock.withLock { next += 1 }
      if interval > 0 { Thread.sleep(forTimeInterval: interval) }
    }
  }

  private static func loopback(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
    return address
  }

  private static func listen() throws(PositioningError) -> (Int32, Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok =
      fd >= 0
      && withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
      } == 0 && Foundation.listen(fd, 8) == 0
      && withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
      } == 0
    guard ok else {
      if fd >= 0 { _ = close(fd) }
      throw PositioningError(code: .testBedFailed, message: "Cannot listen on 127.0.0.1 (errno \(errno)).")
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
  }

  // A port the kernel hands out for bind(0) could be given to another listener between this probe and gpsd binding
  // it, and that listener would pass for gpsd; so gpsd gets a port from below the ephemeral range.
  private static func freePortBelowEphemeralRange() throws(PositioningError) -> Int {
    let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)
    let ephemeralStart = text?.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    for _ in 0..<100 {
      let candidate = Int.random(in: max(1_024, ephemeralStart - 12_000)..<ephemeralStart)
      let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
      guard fd >= 0 else { continue }
      defer { _ = close(fd) }
      var address = loopback(port: candidate)
      let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
      }
      if rc == 0 { return candidate }
    }
    throw PositioningError(code: .testBedFailed, message: "No free loopback port below \(ephemeralStart) for gpsd.")
  }

  private static func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { _ = close(fd) }
    var address = loopback(port: port)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
      }
    }
  }

  // posix_spawn with a cleared signal mask: a child of a thread that blocks SIGTERM would inherit the block.
  private static func spawn(_ arguments: [String]) throws(PositioningError) -> pid_t {
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
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, arguments[0], &actions, &attributes, &argv, environ)
    guard rc == 0 else {
      throw PositioningError(code: .testBedFailed, message: "Cannot start \(arguments[0]) (error \(rc)).")
    }
    return pid
  }
}
