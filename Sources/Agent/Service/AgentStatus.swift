// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Uplink

/// What the running agent reports about itself every few seconds: the status file that
/// `chalkline status` reads, and the source of systemd's STATUS line. Plate-free by
/// construction: counts, states and sizes only.
public struct AgentStatus: Codable, Sendable, Equatable {
  /// The daemon's phase.
  public enum Phase: String, Codable, Sendable {
    case starting, running, reloading, stopping, stopped
  }

  /// The frame source.
  public struct Camera: Codable, Sendable, Equatable {
    /// `v4l2`, or `replay` when a dump stands in for the camera (a test hook).
    public var source: String
    /// The device node or the dump directory.
    public var device: String
    /// `starting`, `streaming`, `faulted:CODE`, `replaying`, `ended`.
    public var state: String
    public var framesDelivered = 0
    /// Frames the source dropped before the queue (its own small buffer overflowed).
    public var framesDropped = 0
    public var faults = 0

    public init(source: String, device: String, state: String) {
      self.source = source
      self.device = device
      self.state = state
    }
  }

  /// gpsd.
  public struct GPS: Codable, Sendable, Equatable {
    /// `no-gpsd`, `no-fix`, `2d`, `3d`, `replay`, or `starting`.
    public var state: String
    public var fixes = 0
    /// Why the last fix was refused for its date (``FixClockCheck``), while fixes keep being refused.
    public var clockProblem: String?

    public init(state: String, fixes: Int = 0, clockProblem: String? = nil) {
      self.state = state
      self.fixes = fixes
      self.clockProblem = clockProblem
    }
  }

  /// The queue between capture and reading.
  public struct Queue: Codable, Sendable, Equatable {
    public var depth = 0
    public var capacity = 0
    /// Frames dropped because reading lagged (the oldest waiting frame goes).
    public var droppedFrames = 0
    public var droppedFixes = 0

    public init(depth: Int = 0, capacity: Int = 0, droppedFrames: Int = 0, droppedFixes: Int = 0) {
      self.depth = depth
      self.capacity = capacity
      self.droppedFrames = droppedFrames
      self.droppedFixes = droppedFixes
    }
  }

  /// The encrypted store.
  public struct VaultFigures: Codable, Sendable, Equatable {
    public var liveBytes: Int64 = 0
    public var maxBytes: Int64 = 0
    public var chalkMarks = 0
    /// Candidates waiting for the upstream's acknowledgement.
    public var pendingCandidates = 0
    public var oldestPendingCandidate: Date?
    public var aggregatesUnsynced = 0
    /// Bytes free on the state directory's file system, and the part of it kept in reserve.
    public var freeBytes: Int64?
    public var reservedFreeBytes: Int64?
    /// True while new chalk marks are refused (quota reached or free space in the reserve); it
    /// clears by itself once space returns.
    public var refusingChalkMarks: Bool?
    /// Vault writes refused for want of space since the agent started (each logged and retried).
    public var diskFullFailures: Int?
    /// The space reserve configured, the part of it held now (less after a full disk took it,
    /// until there is room again), and how often it was given up since the agent started.
    public var spaceReserveBytes: Int64?
    public var spaceReserveHeldBytes: Int64?
    public var spaceReserveReleases: Int?
    /// Vault deletions that failed (each logged and retried), since the vault was created.
    public var deleteFailures: Int?
    /// Scrubs after deletions (vacuum, WAL truncation) a reader deferred or that failed, since the
    /// vault was created, and whether one is owed now (deleted rows may still be in the WAL until
    /// the next retention pass).
    public var scrubsDeferred: Int?
    public var scrubOwed: Bool?

    public init(
      liveBytes: Int64 = 0, maxBytes: Int64 = 0, chalkMarks: Int = 0, pendingCandidates: Int = 0,
      oldestPendingCandidate: Date? = nil, aggregatesUnsynced: Int = 0
    ) {
      self.liveBytes = liveBytes
      self.maxBytes = maxBytes
      self.chalkMarks = chalkMarks
      self.pendingCandidates = pendingCandidates
      self.oldestPendingCandidate = oldestPendingCandidate
      self.aggregatesUnsynced = aggregatesUnsynced
    }
  }

  public var version: String
  public var pid: Int32
  public var deviceID: String
  public var profile: String
  public var phase: Phase
  public var startedAt: Date
  public var updatedAt: Date
  public var camera: Camera
  public var gps: GPS
  /// Frames read per second over the last interval.
  public var readerFPS = 0.0
  public var queue = Queue()
  /// What the pipeline counted since the agent started.
  public var counters = PipelineCounters()
  /// Unexpected pipeline errors (a failed vault write); the frame's sightings may be lost.
  public var pipelineErrors = 0
  /// Times the status file could not be written (a full disk), since the agent started.
  public var statusWriteFailures: Int?
  public var vault: VaultFigures?
  /// When the uplink last synced; nil until it has (or without an uplink).
  public var lastSync: Date?
  /// The uplink: connected, backlog, sent, refused, failures; nil without `uplink.url`.
  public var uplink: UplinkStatus?
  /// The zones enforced: `hub zones version N` or `file PATH`, with their count.
  public var zones: String?
  /// Why the last zones reload was refused (the zones in force stayed); nil after a good one.
  public var zonesRefused: String?
  /// Why the last SIGHUP's profile was refused (the running profile stayed); nil after a good one.
  public var profileRefused: String?
  /// The permit list enforced: `hub permits version N` with counts per class; nil before one verified.
  public var permits: String?
  /// Policies whose rule a permit would lift, unenforced because no verified permit list is held.
  public var permitRulesUnenforced: Int?
  /// The watchdog's last verdict (`progressing`, `pipeline-stalled`, `source-silent`), nil without a watchdog.
  public var watchdog: String?
  /// What a technician should look at, one short sentence each.
  public var alarms: [String] = []

  /// A status with every count at zero.
  public init(
    version: String, pid: Int32, deviceID: String, profile: String, phase: Phase, startedAt: Date, updatedAt: Date,
    camera: Camera, gps: GPS
  ) {
    self.version = version
    self.pid = pid
    self.deviceID = deviceID
    self.profile = profile
    self.phase = phase
    self.startedAt = startedAt
    self.updatedAt = updatedAt
    self.camera = camera
    self.gps = gps
  }

  /// The line systemd shows (`systemctl status`): frames, sightings, candidates.
  public var systemdLine: String {
    var line =
      "\(phase.rawValue): \(counters.frames) frames (\(String(format: "%.1f", readerFPS)) fps), "
      + "\(counters.sightings) sightings, \(counters.candidates) candidates, \(queue.droppedFrames) dropped; "
      + "camera \(camera.state), gps \(gps.state)"
    if !alarms.isEmpty { line += "; \(alarms.count) alarm\(alarms.count == 1 ? "" : "s")" }
    return line
  }

  /// The alarms these figures call for.
  public static func alarms(for status: AgentStatus) -> [String] {
    var alarms: [String] = []
    if status.camera.state.hasPrefix("faulted") { alarms.append("camera \(status.camera.state): check its cable") }
    if status.camera.state == "ended" { alarms.append("the replayed dump ended: no more frames") }
    if status.gps.state == "no-gpsd" { alarms.append("gpsd unreachable: sightings get no position") }
    if status.gps.state == "no-fix" { alarms.append("no GPS fix: sightings get no position") }
    if let problem = status.gps.clockProblem { alarms.append("GPS time refused, nothing is chalked: \(problem)") }
    if status.pipelineErrors > 0 { alarms.append("\(status.pipelineErrors) pipeline errors: see the journal") }
    if let watchdog = status.watchdog, watchdog != WatchdogGate.Verdict.progressing.rawValue {
      alarms.append("pipeline not progressing (\(watchdog))")
    }
    if let vault = status.vault {
      if vault.maxBytes > 0, vault.liveBytes * 10 >= vault.maxBytes * 9 { alarms.append("vault over 90% full") }
      if let oldest = vault.oldestPendingCandidate, status.updatedAt.timeIntervalSince(oldest) > 86_400 {
        alarms.append("candidates unsynced for over a day")
      }
    }
    if status.vault?.refusingChalkMarks == true {
      let free = status.vault?.freeBytes.map { String(format: ", %.1f MiB free on disk", Double($0) / 1_048_576) } ?? ""
      alarms.append("vault full: new chalk marks refused\(free); unsynced evidence is kept")
    }
    if let vault = status.vault, let configured = vault.spaceReserveBytes, let held = vault.spaceReserveHeldBytes,
      held < configured
    {
      alarms.append(
        String(
          format: "disk full: the vault's space reserve is given up (%.1f of %.1f MiB held); free space on the disk",
          Double(held) / 1_048_576, Double(configured) / 1_048_576))
    }
    if status.counters.candidatesWaitingForSpace > 0 {
      alarms.append(
        "disk full: \(status.counters.candidatesWaitingForSpace) candidates wait in memory for space (free space now)")
    }
    if let refused = status.profileRefused {
      alarms.append("profile reload refused, the running profile stays in force: \(refused)")
    }
    if let refused = status.zonesRefused {
      alarms.append("zones reload refused, the previous zones are enforced: \(refused)")
    }
    if let unenforced = status.permitRulesUnenforced, unenforced > 0 {
      alarms.append(
        "no verified permit list: \(unenforced) permit polic\(unenforced == 1 ? "y is" : "ies are") not enforced "
          + "(permit-only spans, except-permit limits) until a permit list verifies")
    }
    if let uplink = status.uplink {
      if uplink.rejected > 0 {
        alarms.append("\(uplink.rejected) candidates refused by the hub: check this device's registration there")
      }
      if uplink.consecutiveFailures >= 5 {
        alarms.append("hub unreachable (\(uplink.consecutiveFailures) failed attempts): candidates wait in the vault")
      }
      if let problem = uplink.hubAuditProblem {
        alarms.append("the hub's audit checkpoint was refused (its audit may have been rewritten): \(problem)")
      }
    }
    return alarms
  }
}
