// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Crypto
import Foundation
import Hub
import HubDevTools
import Logging
import Testing
import Uplink
import Vault
import Wire

/// The agent for a long stretch with faults: the generated patrol replayed over and over as fast
/// as it goes (its clock shifted on each time), some of its frames damaged, the hub going down
/// and coming back, SIGHUP reloads. Memory and open descriptors must stay flat and every
/// candidate the agent made must reach the hub exactly once.
///
/// `make test` runs a short stretch (`CHALKLINE_SOAK_FRAMES`, default 3,600 frames = 6 minutes
/// filmed); `make soak` runs an hour of filmed patrol (36,000 frames) and prints the figures.
@Suite("Soak", .serialized)
struct SoakTests {
  struct Sample {
    var frames: Int
    var rssMB: Double
    var descriptors: Int
  }

  static func sample(frames: Int) -> Sample {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let rss =
      status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") }
      .flatMap { $0.split(separator: " ").dropFirst().first.flatMap { Double($0) } } ?? 0
    let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? 0
    return Sample(frames: frames, rssMB: rss / 1024, descriptors: fds)
  }

  /// The generated patrol with every 97th frame replaced by garbage: a camera's damaged buffers.
  static func damagedCopy(of patrol: URL, in directory: URL) throws -> (URL, Int) {
    let copy = directory.appendingPathComponent("patrol")
    let frames = copy.appendingPathComponent("frames")
    try FileManager.default.createDirectory(at: frames, withIntermediateDirectories: true)
    for name in ["dump.json", "frames.jsonl", "gps.jsonl", "truth.jsonl", "expected.json"] {
      try FileManager.default.createSymbolicLink(
        at: copy.appendingPathComponent(name), withDestinationURL: patrol.appendingPathComponent(name))
    }
    var damaged = 0
    let names = try FileManager.default.contentsOfDirectory(atPath: patrol.appendingPathComponent("frames").path)
    for (index, name) in names.sorted().enumerated() {
      let target = frames.appendingPathComponent(name)
      if index % 97 == 50 {
        try Data("\u{FF}\u{D8}not a jpeg".utf8).write(to: target)
        damaged += 1
      } else {
        try FileManager.default.createSymbolicLink(
          at: target, withDestinationURL: patrol.appendingPathComponent("frames").appendingPathComponent(name))
      }
    }
    return (copy, damaged)
  }

  @Test("an unattended stretch with faults: flat memory and descriptors, every candidate delivered once")
  func soak() async throws {
    let targetFrames = Int(ProcessInfo.processInfo.environment["CHALKLINE_SOAK_FRAMES"] ?? "") ?? 3_600
    try await withTemporaryDirectory(prefix: "cl-soak") { directory in
      let logger = Logger(label: "soak") { JournalLogHandler(label: $0, level: .critical, journal: false) }
      let (patrol, damagedPerLoop) = try Self.damagedCopy(of: GeneratedPatrol.directory, in: directory)
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let keysFile = directory.appendingPathComponent("upstream-keys.json")
      try UplinkAPI.encoder().encode(hub.keys.publicKeys).write(to: keysFile)
      let identity = try hub.pki.issue(name: "soak-truck")
      let hubPort = try freeLoopbackPort()
      var hubConfiguration = hub.configuration
      hubConfiguration.listen.port = hubPort
      let (profilePath, profile) = try uplinkProfile(
        hub: hub, identity: identity, hubPort: hubPort, keysFile: keysFile,
        state: directory.appendingPathComponent("state"), batchSize: 5)
      let vault = try ReplayRunner.openVault(
        profile: profile, upstreamKeys: try UpstreamKeysFile.read(keysFile.path), logger: logger)
      defer { try? vault.close() }
      try await hub.service(logger: logger).registerDevice(
        name: "soak-truck", certificatePath: identity.certificate,
        signingKey: vault.keyring.deviceKey.publicKey.rawRepresentation)

      let daemon = replayDaemon(
        profilePath: profilePath, profile: profile, vault: vault, dump: patrol, loop: true, queue: 64,
        statusInterval: .milliseconds(500), logger: logger)
      let (signals, send) = AsyncStream.makeStream(of: DaemonSignal.self)
      let hubOutages = LockedBox(0)
      let stop = LockedBox(0)

      async let counters = daemon.run(signals: signals)
      // The hub: up for a while, down for a while, until the stretch ends.
      async let hubCycles: Void = {
        let service = HubService(
          configuration: hubConfiguration, storage: try SQLiteHubStorage(path: hubConfiguration.database),
          keys: hub.keys, logger: logger)
        while stop.value == 0 {
          try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await HubServer(service: service, logger: logger).run() }
            group.addTask { try await Task.sleep(for: .seconds(Int.random(in: 8...15))) }
            _ = try await group.next()
            group.cancelAll()
            while (try? await group.next()) != nil {}
          }
          hubOutages.mutate { $0 += 1 }
          try await Task.sleep(for: .seconds(Int.random(in: 4...10)))
        }
      }()

      var samples: [Sample] = []
      var reloads = 0
      var frames = 0
      let statusFile = vault.stateDirectory
      while frames < targetFrames {
        try await Task.sleep(for: .seconds(1))
        frames = (try? StatusFile.read(in: statusFile))?.counters.frames ?? frames
        samples.append(Self.sample(frames: frames))
        if samples.count % 3 == 0 {
          send.yield(.hangUp)
          reloads += 1
        }
      }
      send.yield(.terminate)
      let made = try await counters
      stop.mutate { $0 += 1 }
      try await hubCycles

      // The next start drains what the last outage left behind.
      let delivered = try await hub.serve(logger: logger) { port in
        var uplink = try #require(profile.uplink)
        uplink.url = URL(string: "https://127.0.0.1:\(port)/")!
        var restarted = profile
        restarted.uplink = uplink
        let sync = try #require(try AgentDaemon.makeUplink(profile: restarted, vault: vault, logger: logger))
        return try await sync.whileOpen { try await $0.syncUntilDrained(maxFailures: 20) }.acknowledged
      }
      let held = try await hub.service(logger: logger).storage.candidates(reviewState: nil, limit: 100_000)

      let warm = samples[min(samples.count - 1, samples.count / 4)]
      let last = samples.last!
      let peak = samples.map(\.rssMB).max() ?? 0
      print(
        "soak: \(made.frames) frames (\(String(format: "%.1f", Double(made.frames) / 36_000)) h filmed), "
          + "\(made.damagedFrames) damaged, \(made.candidates) candidates made, \(held.count) held by the hub "
          + "(\(delivered) in the final drain), \(made.sourceFaults) source faults, \(hubOutages.value) hub outages, \(reloads) SIGHUP reloads; "
          + "RSS after warm-up \(String(format: "%.1f", warm.rssMB)) MB, peak \(String(format: "%.1f", peak)) MB, "
          + "final \(String(format: "%.1f", last.rssMB)) MB; descriptors \(warm.descriptors) -> \(last.descriptors)")

      #expect(made.frames >= targetFrames)
      // A damaged frame is refused by the dump reader (a source fault) or by the decoder (damaged).
      #expect(made.damagedFrames + made.sourceFaults >= damagedPerLoop)
      #expect(made.candidates > 0)
      #expect(held.count == made.candidates, "every candidate made reaches the hub once")
      #expect(Set(held.map(\.id)).count == held.count)
      #expect(try vault.pendingCandidateCount() == 0)
      #expect(hubOutages.value >= 1)
      #expect(reloads >= 1)
      #expect(last.descriptors <= warm.descriptors + 8, "descriptors grow: \(samples.map(\.descriptors))")
      #expect(last.rssMB <= warm.rssMB + 64, "memory grows: \(samples.map { Int($0.rssMB) })")
    }
  }
}

extension SoakTests {
  /// The agent's fixes from a real gpsd (fed by a real receiver's log) while the patrol replays
  /// as fast as it goes; gpsd is killed and started again several times. The agent must notice
  /// each loss, reconnect by itself and take fixes again, with its memory and descriptors flat.
  /// (The log's fixes are from another place and year than the patrol's frames, so the sightings
  /// get no position here: enforcement under gpsd is the daemon and positioning tests' part.)
  @Test("gpsd killed and restarted under a running agent: it reconnects every time")
  func gpsdRestarts() async throws {
    let log = try #require(GPSDTestData.gpsLog("quectel-l76k-nmea.log"), "the shared gps logs are missing")
    try await withDaemonOnGPSD(log: log, prefix: "cl-soak-gpsd", loop: true, statusInterval: .milliseconds(200)) {
      daemon, vault, gpsd in
      let (signals, send) = AsyncStream.makeStream(of: DaemonSignal.self)
      async let counters = daemon.run(signals: signals)

      func status() -> AgentStatus? { try? StatusFile.read(in: vault.stateDirectory) }
      var samples: [Sample] = []
      var seenLost = 0
      var seenBack = 0
      for restart in 0..<4 {
        // Fixes flow (again): the client (re)connected and gpsd reads the receiver.
        let before = status()?.gps.fixes ?? 0
        let flowing = try await eventually(within: 30) {
          guard let gps = status()?.gps else { return false }
          return gps.fixes >= before + 3 && (gps.state == "2d" || gps.state == "3d")
        }
        #expect(flowing, "no fixes after restart \(restart): \(String(describing: status()?.gps))")
        if flowing && restart > 0 { seenBack += 1 }
        samples.append(Self.sample(frames: status()?.counters.frames ?? 0))
        guard restart < 3 else { break }
        gpsd.kill()
        let lost = try await eventually(within: 15) { status()?.gps.state == "no-gpsd" }
        #expect(lost, "the agent did not notice gpsd going away: \(String(describing: status()?.gps))")
        if lost { seenLost += 1 }
        try await Task.sleep(for: .milliseconds(300))
        try gpsd.restart()
      }
      send.yield(.terminate)
      let made = try await counters
      print(
        "soak, gpsd: \(made.frames) frames, \(seenLost) gpsd losses noticed, \(seenBack) reconnections with fixes, "
          + "\(made.gpsFixes) fixes used; descriptors \(samples.map(\.descriptors)), RSS \(samples.map { Int($0.rssMB) }) MB"
      )
      #expect(seenLost == 3)
      #expect(seenBack == 3)
      #expect(made.frames > 0)
      let first = try #require(samples.first)
      let last = try #require(samples.last)
      #expect(last.descriptors <= first.descriptors + 8, "descriptors grow: \(samples.map(\.descriptors))")
    }
  }
}
