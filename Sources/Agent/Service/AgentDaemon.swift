// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineModel
import Dump
import Enforcement
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Uplink
import Vault
import Wire

/// The agent that runs a shift unattended: the camera and gpsd feed a bounded queue, the
/// pipeline reads it on a thread of its own, and a status tick writes the status file, tells
/// systemd how it goes, and pings the watchdog only while the pipeline makes progress. Each is
/// a stage (a `Service`) of one `ServiceGroup` (see ``stages(uplink:state:queue:worker:result:started:)``).
///
/// SIGTERM and SIGINT stop it gracefully: the sources stop, what is queued is read, every open
/// track is finished and decided. SIGHUP reloads the profile: a broken one is refused and the
/// old one kept; camera and GPS changes restart those sources, the zones (file, or the hub's
/// newest document) are read again and put in force from the next frame, the rest waits for a
/// restart. New zones from the hub go in force the same way as soon as they are verified.
public struct AgentDaemon: Sendable {
  /// How the daemon runs, beyond the profile.
  public struct Options: Sendable {
    /// The profile file, read again on SIGHUP.
    public var profilePath: String
    /// Test and field-test hook: frames (and fixes, from its gps.jsonl) come from this dump
    /// instead of the camera and gpsd.
    public var replayDump: String?
    /// How fast the dump plays.
    public var replayPace: DumpFrameSource.Pace = .realtime
    /// Whether the dump starts over at its end (its clock shifted on, so time only goes forward).
    public var replayLoop = true
    /// Whether a replay takes its fixes from the dump (its gps.jsonl) or, when false, from the
    /// profile's gpsd as on the road (a soak test restarts a real gpsd under a replay).
    public var replayFixesFromDump = true
    /// Test hook: the pipeline thread hangs after this many frames (see ``PipelineWorker``).
    public var stallAfter: Int?
    /// Frames waiting between capture and reading at most (newest kept).
    public var queueCapacity = 8
    /// How often the status file, STATUS and the watchdog are refreshed.
    public var statusInterval: Duration = .seconds(2)
    /// How long a graceful stop may spend on a last sync of what it decided (the unit's
    /// TimeoutStopSec is longer).
    public var finalSyncLimit: Duration = .seconds(5)
    /// How often the pipeline is asked to forget on its extrapolated clock; it does so only when
    /// no frame or fix carried a usable time for a minute (see ``PatrolPipeline/retentionTick(wallClock:)``).
    public var retentionTickInterval: Duration = .seconds(10)

    public init(profilePath: String) { self.profilePath = profilePath }
  }

  /// Why the daemon stopped without being asked to.
  public struct Failure: Error, CustomStringConvertible {
    public enum Code: String, Sendable { case zonesUnreadable, pipelineFailed, uplinkUnusable }
    public var code: Code
    public var message: String
    public var cause: (any Error)?
    public var description: String { message + (cause.map { " (\($0))" } ?? "") }
  }

  let options: Options
  let initialProfile: DeviceProfile
  let vault: Vault
  let notifier: SystemdNotifier
  let logger: Logger
  let makeReader: (@Sendable () throws -> any FramePlateReader)?
  /// The uplink's state, shown by `chalkline status` (stays initial without an uplink).
  let uplinkStatus = UplinkStatusBoard()
  /// The metrics, served when `metrics.port` is not 0.
  public let metrics: AgentMetrics
  /// Failures to write the status file (a full disk), counted and reported.
  let statusWrites = StatusWriteRecord()
  /// Audit entries a failed write kept out of the log, written again at every status tick.
  let pendingAudits = PendingAudits()

  /// - Parameters:
  ///   - vault: the open vault of the profile's state directory (the status file goes there too).
  ///   - makeReader: the plate reader, made on the pipeline's thread; nil for the shipped models.
  public init(
    profile: DeviceProfile, options: Options, vault: Vault, notifier: SystemdNotifier = SystemdNotifier(),
    makeReader: (@Sendable () throws -> any FramePlateReader)? = nil, metrics: AgentMetrics = AgentMetrics(),
    logger: Logger
  ) {
    self.initialProfile = profile
    self.options = options
    self.vault = vault
    self.notifier = notifier
    self.makeReader = makeReader
    self.metrics = metrics
    self.logger = logger
  }

  private enum Control: Sendable {
    case signal(DaemonSignal)
    case zonesDocument(SignedDocument)
    case permitsDocument(SignedDocument)
  }

  /// Runs until a stop signal (then returns the final counters) or a pipeline failure (thrown).
  /// `signals` are the triggers: `DaemonSignal.events()` in the agent, a test's own stream in tests.
  public func run(signals: some AsyncSequence<DaemonSignal, Never> & Sendable) async throws -> PipelineCounters {
    let (control, controlInput) = AsyncStream.makeStream(of: Control.self, bufferingPolicy: .unbounded)
    let uplink = try Self.makeUplink(profile: initialProfile, vault: vault, status: uplinkStatus, logger: logger) {
      if $0.kind == .zones { controlInput.yield(.zonesDocument($0)) }
      if $0.kind == .permits { controlInput.yield(.permitsDocument($0)) }
    }
    let inForce = try Self.zonesInForce(
      profile: initialProfile, hubDocument: uplink?.cache.document(.zones), logger: logger)
    logger.notice("zones in force", metadata: ["zones.source": "\(inForce.source)"])
    let zones = inForce.zones
    let permits = Self.permitsInForce(document: uplink?.cache.document(.permits), vault: vault, logger: logger)
    await auditAtStart(zones: inForce, permits: permits)
    await applyRetentionAtStart()
    let queue = FrameQueue(frameCapacity: options.queueCapacity)
    let state = DaemonState(
      profile: initialProfile, camera: cameraStatus(for: initialProfile), zones: inForce, permits: permits)
    let profile = initialProfile
    let vault = self.vault
    let makeReader = self.makeReader
    let logger = self.logger
    let worker = PipelineWorker(
      queue: queue, stallAfter: options.stallAfter, logger: logger, onFrame: { [metrics] in metrics.record($0) }
    ) {
      try PatrolPipeline(
        profile: profile, zones: zones, vault: vault, reader: makeReader?(), permits: permits, logger: logger)
    }
    let result = PipelineResult()
    let started = Date()
    let stages = self.stages(
      uplink: uplink, state: state, queue: queue, worker: worker, result: result, started: started)
    let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: stages, logger: logger))

    await withTaskGroup(of: Void.self) { tasks in
      tasks.addTask {
        do { try await group.run() } catch {
          logger.error("a daemon stage ended the others", metadata: ["error": "\(error)"])
        }
        controlInput.finish()
      }
      tasks.addTask {
        for await signal in signals { controlInput.yield(.signal(signal)) }
      }

      for await event in control {
        switch event {
        case .signal(.hangUp):
          await reload(state: state)
          await refreshZones(state: state, queue: queue, hubDocument: uplink?.cache.document(.zones), reason: "SIGHUP")
          await refreshPermits(state: state, queue: queue, document: uplink?.cache.document(.permits), reason: "SIGHUP")
        case .zonesDocument(let document):
          await refreshZones(state: state, queue: queue, hubDocument: document, reason: "hub")
        case .permitsDocument(let document):
          await refreshPermits(state: state, queue: queue, document: document, reason: "hub")
        case .signal(let stop):
          let first = state.update { values in
            defer { values.stopRequested = true; values.phase = .stopping }
            return !values.stopRequested
          }
          guard first else { continue }
          logger.notice("stopping: finishing the sightings in flight", metadata: ["signal": "\(stop)"])
          notifier.stopping()
          // The stages stop in reverse order: the sources, then the pipeline reads what is
          // queued and finishes every open track, then the status tick, the uplink's last sync.
          await group.triggerGracefulShutdown()
        }
      }
      tasks.cancelAll()
    }

    state.update { $0.phase = .stopped }
    await writeStatus(state: state, queue: queue, worker: worker, started: started, fps: 0)
    switch result.value.withLock({ $0 }) {
    case .success(let counters):
      logger.notice(
        "agent stopped",
        metadata: [
          "frames": "\(counters.frames)", "sightings": "\(counters.sightings)",
          "candidates": "\(counters.candidates)", "frames.dropped": "\(queue.snapshot.droppedFrames)",
          "latency.p50.ms": "\(Int(counters.latencyMillisecondsP50))",
          "latency.p99.ms": "\(Int(counters.latencyMillisecondsP99))",
          "latency.processing.p50.ms": "\(Int(counters.processingLatencyMillisecondsP50))",
          "latency.processing.p99.ms": "\(Int(counters.processingLatencyMillisecondsP99))",
        ])
      return counters
    case .failure(let error):
      throw Failure(code: .pipelineFailed, message: "The pipeline stopped", cause: error)
    case nil:
      throw Failure(code: .pipelineFailed, message: "The pipeline never ended", cause: nil)
    }
  }

  /// SIGHUP: read the profile again; refuse a broken one, log what changed, restart the sources
  /// whose settings changed.
  private func reload(state: DaemonState) async {
    notifier.reloading()
    defer { notifier.ready() }
    let current = state.snapshot.profile
    let loaded: DeviceProfile
    do { loaded = try DeviceProfile.load(from: options.profilePath) } catch {
      logger.error(
        "profile reload refused: the running profile stays in force",
        metadata: ["profile": "\(options.profilePath)", "error": "\(error.description)"])
      // Raised in the status until a reload is taken: nobody watches the journal on patrol.
      let first = error.problems.first.map { ": \($0.description)" } ?? ""
      state.update { $0.profileRefused = error.message + first }
      return
    }
    state.update { $0.profileRefused = nil }
    let changes = ProfileChanges.between(current, loaded)
    guard !changes.isEmpty else {
      logger.notice("profile reloaded: nothing changed", metadata: ["profile": "\(options.profilePath)"])
      return
    }
    let sections = Set(changes.map { String($0.split(separator: ".").first ?? "") })
    let live: Set<String> = options.replayDump == nil ? ["camera", "gps"] : []
    let restartsSources = !sections.isDisjoint(with: live)
    // The rule files are read again after every reload (see `refreshZones`).
    let ruleFiles: Set<String> = ["enforcement.zonesFile", "enforcement.policiesFile", "enforcement.periodsFile"]
    let deferred = changes.filter {
      !live.contains(String($0.split(separator: ".").first ?? "")) && !ruleFiles.contains($0)
    }
    state.update {
      $0.profile = loaded
      if restartsSources { $0.generation += 1 }
    }
    logger.notice(
      "profile reloaded",
      metadata: [
        "profile": "\(options.profilePath)", "profile.changed": "\(changes.joined(separator: ","))",
        "sources.restarted": "\(restartsSources)",
      ])
    if !deferred.isEmpty {
      logger.notice(
        "profile changes that take effect at the next restart (systemctl restart chalkline)",
        metadata: ["profile.deferred": "\(deferred.joined(separator: ","))"])
    }
    await audit(
      PendingAudits.Entry(
        actor: "agent", action: "profile.reload", purpose: "configuration change (SIGHUP)",
        detail: "changed=\(changes.joined(separator: ","))", time: Date()))
  }

  func cameraStatus(for profile: DeviceProfile) -> AgentStatus.Camera {
    if let dump = options.replayDump {
      return AgentStatus.Camera(source: "replay", device: dump, state: "starting")
    }
    return AgentStatus.Camera(source: "v4l2", device: profile.camera.device, state: "starting")
  }
}
