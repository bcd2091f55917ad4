// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import Crypto
import Dump
import Enforcement
import Foundation
import Logging
import PlateReading
import Positioning
import Vault

/// Replays a frame dump through the road's pipeline, on the dump's own clock.
///
/// Frames and GPS fixes are interleaved by time exactly as they were recorded, so a two-hour
/// chalk window replays in seconds and the same dump gives the same decisions every time.
public struct ReplayRunner {
  public var profile: DeviceProfile
  public var dump: URL
  public var pace: DumpFrameSource.Pace
  public var logger: Logger
  /// The plate reader; `nil` for the shipped models.
  public var reader: (any FramePlateReader)?
  /// The tracker's configuration; `nil` for the default (benchmarks compare others).
  public var tracker: PlateTracker.Configuration?
  /// Only the frames filmed in this span are replayed (`nil`: all): one pass of a patrol, or
  /// the part before and after a simulated restart.
  public var span: Range<Date>?
  /// A permit list in force instead of the hub's (`nil`: the hub's, as the vehicle would): the
  /// patrol benchmark measures reading with a list that names none of its cars.
  public var permits: PermitsInForce?

  public init(
    profile: DeviceProfile, dump: URL, pace: DumpFrameSource.Pace, reader: (any FramePlateReader)? = nil,
    logger: Logger
  ) {
    self.profile = profile
    self.dump = dump
    self.pace = pace
    self.reader = reader
    self.logger = logger
  }

  /// Opens (or creates) the vault of the profile's state directory. A replay without an
  /// upstream seals its evidence to a throwaway key, which nobody can open; with
  /// `upstreamKeys` (the hub's raw X25519 and Ed25519 public keys) it seals to the hub.
  ///
  /// Hub keys change only by signature (a verified keys document) or by an explicit import:
  /// `upstreamKeys` from the profile are imported only into a vault that holds none yet (first
  /// provisioning), and a profile whose keys differ from the vault's is logged, not obeyed.
  /// `replace` (an explicit `--upstream-keys` on the command line) imports them anyway, audited.
  public static func openVault(
    profile: DeviceProfile, upstreamKeys: (hpke: Data, signing: Data)?, replace: Bool = false, logger: Logger
  ) throws -> Vault {
    let state = URL(fileURLWithPath: profile.vault.stateDirectory)
    try FileManager.default.createDirectory(
      at: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    if !FileManager.default.fileExists(atPath: Keyring.keysDirectory(in: state).path) {
      _ = try Keyring.create(in: state)
    }
    let configuration = VaultConfiguration(
      maxBytes: profile.vault.quota, maxUnsyncedCandidateAge: .seconds(profile.vault.maxUnsyncedAge))
    let vault = try Vault(stateDirectory: state, configuration: configuration, logger: logger)
    try UpstreamKeysFile.provision(vault, with: upstreamKeys, replace: replace, logger: logger)
    return vault
  }

  /// Runs the replay to the end of the dump (or to its first damage it cannot pass).
  public func run(vault: Vault, progress: ((PipelineCounters) -> Void)? = nil) async throws -> ReplaySummary {
    let rules = try await Self.rulesInForce(profile: profile, vault: vault, logger: logger)
    let pipeline = try PatrolPipeline(
      profile: profile, zones: rules.zones.zones, vault: vault, reader: reader, tracker: tracker,
      permits: permits ?? rules.permits, logger: logger)
    var fixes = Self.fixes(in: dump, logger: logger)[...]
    var faults: [String] = []
    var first: Date?
    var last: Date?
    var filmed = 0.0
    let started = ContinuousClock.now
    // The pipeline blocks on inference and SQLite; a replay is a process of its own with
    // nothing else to serve, so it runs them on this task. The daemon runs them on a thread.
    for await event in DumpFrameSource(directory: dump.path, pace: pace, logger: logger).events() {
      switch event {
      case .frame(let frame):
        if let span, !span.contains(frame.time) { continue }
        while let fix = fixes.first, fix.time <= frame.time {
          pipeline.add(fix)
          fixes.removeFirst()
        }
        if let last, frame.time.timeIntervalSince(last) < 10 { filmed += frame.time.timeIntervalSince(last) }
        first = first ?? frame.time
        last = frame.time
        try pipeline.process(frame)
        if pipeline.counters.frames % 100 == 0 { progress?(pipeline.counters) }
      case .fault(let fault):
        pipeline.sourceFault()
        faults.append("\(fault)")
      }
    }
    for fix in fixes { pipeline.add(fix) }
    let counters = try pipeline.finish()
    let elapsed = ContinuousClock.now - started
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    var byZone: [String: Int] = [:]
    let pending = try await vault.pendingCandidates(limit: 100_000)
    for candidate in pending {
      if let manifest = try? candidate.manifest() { byZone[manifest.zone, default: 0] += 1 }
    }
    return ReplaySummary(
      dump: dump.path, counters: counters,
      dumpSeconds: (last ?? Date()).timeIntervalSince(first ?? last ?? Date()), filmedSeconds: filmed,
      wallSeconds: wall, speedFactor: wall > 0 ? filmed / wall : 0, outbox: pending.count,
      candidatesByZone: byZone, stateDirectory: profile.vault.stateDirectory, faults: faults, rules: rules.note)
  }

  /// The dump's GPS fixes, in time order; a dump without GPS replays with no positions.
  static func fixes(in dump: URL, logger: Logger) -> [Fix] {
    let url = dump.appendingPathComponent("gps.jsonl")
    guard FileManager.default.fileExists(atPath: url.path) else {
      logger.warning("dump has no gps.jsonl: no sighting will have a position", metadata: ["dump": "\(dump.path)"])
      return []
    }
    do {
      let log = try GPSDLog(contentsOf: url)
      if log.malformedLines > 0 {
        logger.warning(
          "malformed gps.jsonl lines skipped",
          metadata: ["count": "\(log.malformedLines)", "first.line": "\(log.firstMalformedLine ?? 0)"])
      }
      return log.fixes.sorted { $0.time < $1.time }
    } catch {
      logger.error("gps.jsonl unreadable: no sighting will have a position", metadata: ["error": "\(error)"])
      return []
    }
  }
}
