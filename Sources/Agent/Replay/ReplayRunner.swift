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
import Wire

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

  /// Opens (or creates) the vault of the profile's state directory. With `upstreamKeys` (the
  /// hub's raw X25519 and Ed25519 public keys) evidence is sealed to the hub. Without them and
  /// without any in the vault, `withoutKeys` decides: a replay seals to a throwaway key, which
  /// nobody can open (`.throwawayKey`); the agent refuses to start (`.refuse`, what `chalkline
  /// run` asks for), so that no candidate is sealed to a key nobody holds and the vault takes the
  /// hub's keys when they come.
  ///
  /// Hub keys change only by signature (a verified keys document) or by an explicit import:
  /// `upstreamKeys` from the profile are imported only into a vault that holds none yet (first
  /// provisioning), and a profile whose keys differ from the vault's is logged, not obeyed.
  /// `replace` (an explicit `--upstream-keys` on the command line) imports them anyway, audited.
  public static func openVault(
    profile: DeviceProfile, upstreamKeys: (hpke: Data, signing: Data)?, replace: Bool = false,
    withoutKeys: UpstreamKeysFile.WithoutKeys = .throwawayKey, logger: Logger
  ) throws -> Vault {
    let state = URL(fileURLWithPath: profile.vault.stateDirectory)
    try FileManager.default.createDirectory(
      at: state, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    if !FileManager.default.fileExists(atPath: Keyring.keysDirectory(in: state).path) {
      _ = try Keyring.create(in: state)
    }
    let configuration = VaultConfiguration(
      maxBytes: profile.vault.quota, maxUnsyncedCandidateAge: .seconds(profile.vault.maxUnsyncedAge),
      spaceReserveBytes: profile.vault.spaceReserve)
    let vault = try Vault(stateDirectory: state, configuration: configuration, logger: logger)
    do {
      try UpstreamKeysFile.provision(
        vault, with: upstreamKeys, replace: replace, withoutKeys: withoutKeys, logger: logger)
    } catch {
      vault.closeLoggingFailure()
      throw error
    }
    return vault
  }

  /// Runs the replay to the end of the dump (or to its first damage it cannot pass): the dump
  /// feeds a ``FrameQueue`` read by a ``PipelineWorker``, as the daemon's sources do.
  public func run(
    vault: Vault, progress: (@Sendable (PipelineCounters) -> Void)? = nil
  ) async throws
    -> ReplaySummary
  {
    let rules = try await Self.rulesInForce(profile: profile, vault: vault, logger: logger)
    let queue = FrameQueue(frameCapacity: 8)
    let (profile, tracker, logger) = (self.profile, self.tracker, self.logger)
    // The reader moves to the worker's thread, the only one that uses it until the replay ends.
    nonisolated(unsafe) let reader = self.reader
    let permits = self.permits ?? rules.permits
    let zones = rules.zones.zones
    var onFrame: (@Sendable (PipelineCounters) -> Void)?
    if let progress {
      onFrame = { counters in if counters.frames % 100 == 0 { progress(counters) } }
    }
    let worker = PipelineWorker(queue: queue, logger: logger, onFrame: onFrame) {
      try PatrolPipeline(
        profile: profile, zones: zones, vault: vault, reader: reader, tracker: tracker, permits: permits,
        logger: logger)
    }
    var feed = DumpFeed(
      directory: dump.path, pace: pace, fixes: DumpFeed.fixes(in: dump, logger: logger), logger: logger)
    feed.span = span
    // The replay's clock starts once the pipeline is built (its models loaded), as the road's
    // frames only count from then: the speed is frames through the pipeline, not start-up.
    async let reading = worker.run()
    let tally = await feed.run(into: queue)
    queue.close()
    let counters = try await reading
    let elapsed = ContinuousClock.now - (worker.progress.runningSince ?? .now)
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    var byZone: [String: Int] = [:]
    let pending = try await vault.pendingCandidates(limit: 100_000)
    for candidate in pending {
      if let manifest = try? candidate.manifest() { byZone[manifest.zone, default: 0] += 1 }
    }
    let (first, last, filmed) = (tally.first, tally.last, tally.filmed)
    var summary = ReplaySummary(
      dump: dump.path, counters: counters,
      dumpSeconds: (last ?? Date()).timeIntervalSince(first ?? last ?? Date()), filmedSeconds: filmed,
      wallSeconds: wall, speedFactor: wall > 0 ? filmed / wall : 0, outbox: pending.count,
      candidatesByZone: byZone, stateDirectory: profile.vault.stateDirectory, faults: tally.faults, rules: rules.note)
    let dropped = queue.snapshot.droppedFrames
    if dropped > 0 { summary.droppedFrames = dropped }
    return summary
  }
}
