// SPDX-License-Identifier: AGPL-3.0-or-later

/// What one run of the pipeline did, plate-free: the replay's summary and the agent's status.
public struct PipelineCounters: Codable, Sendable, Equatable {
  public var frames = 0
  /// Frames skipped because they could not be decoded (counted, never fatal).
  public var damagedFrames = 0
  /// Faults the frame source reported and survived (a skipped dump line, a camera reconnect).
  public var sourceFaults = 0
  public var plateReads = 0
  public var sightings = 0
  /// Sightings without a usable position (never chalked).
  public var withoutPosition = 0
  public var chalkMarks = 0
  /// Chalk marks read back from the vault when the pipeline started (a restart mid-shift).
  public var restoredChalkMarks = 0
  public var renewedChalkMarks = 0
  public var candidates = 0
  /// Chalk marks the vault refused because its quota is reached (evidence is never dropped).
  public var refusedByQuota = 0
  /// Chalk marks refused because the state directory's file system is down to the vault's
  /// reserved free space, or full (the car is not chalked; evidence already stored stays).
  public var refusedByDiskSpace = 0
  /// Candidates the full disk kept from the vault, held sealed in memory and retried (now).
  public var candidatesWaitingForSpace = 0
  /// Candidates still unwritten when the pipeline finished on a full disk (each logged).
  public var candidatesUnwritten = 0
  /// Skipped sightings by reason (`outside_zone`, `no_position`, …).
  public var skipped: [String: Int] = [:]
  public var expiredChalkMarks = 0
  /// Chalk windows whose key was destroyed with their marks (crypto-shredding).
  public var chalkWindowsClosed = 0
  /// Vault deletions or updates that failed (each logged, deletions retried at the next pass).
  public var vaultWriteFailures = 0
  /// Retention passes the daemon's tick ran on the extrapolated clock (no frame or fix carried a
  /// usable time for a minute).
  public var retentionTicks = 0
  /// Times of refused fixes and damaged frames not used for forgetting because they were more
  /// than two minutes ahead of the trusted clock (a receiver's clock gone wrong).
  public var retentionTimesRefused = 0
  /// Evidence stored with the plate crop alone because its frame could not be cropped (each logged).
  public var evidenceWithoutVehicle = 0
  public var gpsFixes = 0
  /// GPS fixes the quality gate refused, by reason (`no_fix`, `too_uncertain`, …).
  public var gpsRefused: [String: Int] = [:]
  /// Times the zones in force were replaced while running (SIGHUP, or new zones from the hub).
  public var zonesReplaced = 0
  /// Times a newer verified permit list was put in force while running.
  public var permitsReplaced = 0
  /// Milliseconds of processing per frame: decode and read, median and 99th percentile.
  public var frameMillisecondsP50 = 0.0
  public var frameMillisecondsP99 = 0.0
  /// Milliseconds to decide one sighting and store what the decision keeps.
  public var decisionMillisecondsP50 = 0.0
  public var decisionMillisecondsP99 = 0.0
  /// Milliseconds from the last frame that showed a plate to its sighting's decision: the tracker's
  /// wait for the car to leave (frame clock) plus the wall time from the arrival of the frame that
  /// closed the track (queue entry in the agent, read from the dump in a replay) to the decision.
  public var latencyMillisecondsP50 = 0.0
  public var latencyMillisecondsP99 = 0.0
  /// The wall-time part of that latency alone: queue wait, reading, tracking and deciding.
  public var processingLatencyMillisecondsP50 = 0.0
  public var processingLatencyMillisecondsP99 = 0.0

  public init() {}

  /// The same counts without the timings: what must be equal when the same dump is replayed twice.
  public var withoutTimings: PipelineCounters {
    var copy = self
    copy.frameMillisecondsP50 = 0
    copy.frameMillisecondsP99 = 0
    copy.decisionMillisecondsP50 = 0
    copy.decisionMillisecondsP99 = 0
    copy.latencyMillisecondsP50 = 0
    copy.latencyMillisecondsP99 = 0
    copy.processingLatencyMillisecondsP50 = 0
    copy.processingLatencyMillisecondsP99 = 0
    return copy
  }
}
