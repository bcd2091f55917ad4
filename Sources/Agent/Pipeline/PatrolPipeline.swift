// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineModel
import Enforcement
import Foundation
import Imaging
import Logging
import PlateReading
import Positioning
import Vault
import Wire

/// The road's pipeline for one frame stream: read plates, track cars into sightings, place each
/// sighting at the curb, hash its readings, let the ledger decide, and keep what the decision
/// says must be kept — sealed — in the vault. Everything else is forgotten.
///
/// The live agent and the field replay drive the same instance with their own clocks (the
/// camera's, or the dump's), so a replay decides exactly as the road would. It is owned by one
/// task: its methods block on inference and SQLite and must run off the cooperative pool.
public final class PatrolPipeline {
  private let profile: DeviceProfile
  private let reader: any FramePlateReader
  private let decoder: JPEGDecoder
  private let tracker: PlateTracker
  var ledger: ChalkLedger
  let vault: Vault
  private let sealer: EvidenceSealer
  private var cropper: EvidenceCropper
  private var track: PositionTrack
  private let projection: CurbProjection
  private let quality: FixQuality
  let logger: Logger
  var hashers: [KeyWindowID: PlateHasher] = [:]
  /// The verified permit list in force, nil before one verified (see ``replacePermits(_:)``).
  private var permits: PermitsInForce?
  /// Ids of the ledger's marks that the vault holds.
  var persisted: Set<UUID> = []
  /// Retention's own state: deletions to retry, whether the start-up pass ran.
  var retention = RetentionState()
  /// Writes a full disk refused, kept to retry (see `PatrolPipeline+DiskFull.swift`).
  var waiting = WaitingWrites()
  private var frameTimes = Timings()
  private var decisionTimes = Timings()
  private var latencies = Timings()
  private var processingLatencies = Timings()
  /// The frame being processed: its time and when it arrived (for the frame→decision latency).
  private var closingFrame: (time: Date, arrived: ContinuousClock.Instant)?
  var lastExpiry: Date?
  /// The clock forgetting runs on: the sources' times, kept monotonic, extrapolated when they fall silent.
  var retentionClock: RetentionClock
  /// The monotonic clock the retention clock extrapolates on (a test sets its own).
  var monotonicNow: () -> ContinuousClock.Instant = { ContinuousClock.now }
  private var lastFixTime: Date?
  /// Plate-free counts of what happened.
  public internal(set) var counters = PipelineCounters()

  /// - Parameters:
  ///   - zones: the curb zones and policies in force.
  ///   - vault: an open vault whose keyring holds the upstream's sealing key.
  ///   - reader: the plate reader; by default the shipped models.
  ///   - tracker: how cars are tracked and their frames fused (the default, with the reader's layout prior).
  public init(
    profile: DeviceProfile, zones: ZoneSet, vault: Vault, reader: (any FramePlateReader)? = nil,
    tracker trackerConfiguration: PlateTracker.Configuration? = nil, permits: PermitsInForce? = nil,
    logger: Logger
  ) throws {
    self.profile = profile
    self.vault = vault
    self.logger = logger
    self.reader = try reader ?? PlateReader.shipped(alternatives: profile.reader.alternatives, logger: logger)
    decoder = try JPEGDecoder()
    tracker = PlateTracker(
      configuration: (trackerConfiguration ?? PlateTracker.Configuration()).withLayoutPrior(of: self.reader))
    var configuration = EnforcementConfiguration()
    configuration.samePlaceTolerance = profile.enforcement.samePlaceTolerance
    configuration.grace = profile.enforcement.grace
    configuration.minimumReadConfidence = profile.reader.minConfidence
    configuration.permitMinimumObservation = profile.enforcement.permitMinObservation
    // A restart mid-shift resumes with the marks chalked before it: they are in the vault.
    let restored = try vault.liveChalkMarks()
    ledger = ChalkLedger(
      zones: zones, permits: permits?.registry ?? .none, configuration: configuration, logger: logger,
      restoring: restored)
    // Windows whose marks all went before the restart close when their day is over, not at their latest close.
    ledger.track(windows: try vault.chalkWindows().map { KeyWindowID($0.id) })
    self.permits = permits
    persisted = Set(restored.map(\.id))
    counters.restoredChalkMarks = restored.count
    if !restored.isEmpty { logger.info("chalk marks restored", metadata: ["chalk.restored": "\(restored.count)"]) }
    sealer = try EvidenceSealer(keyring: vault.keyring)
    cropper = try EvidenceCropper()
    track = PositionTrack(
      configuration: PositionTrack.Configuration(maxExtrapolation: profile.gps.maxExtrapolation))
    projection = CurbProjection(
      mount: CameraMount(
        side: profile.camera.side == .left ? .left : .right, curbDistance: profile.camera.curbDistance,
        forwardOffset: profile.camera.forwardOffset, yaw: profile.camera.yawDegrees,
        mountError: profile.camera.mountError))
    quality = FixQuality(maxEph: profile.gps.maxEph, maxAge: profile.gps.maxFixAge)
    retentionClock = RetentionClock(started: ContinuousClock.now)
  }

  /// Feeds one GPS fix (in time order). With the camera down the fixes' clock still closes
  /// windows on time, refused fixes too (gpsd without a fix still sends its time), within the
  /// bounds of ``RetentionClock``.
  public func add(_ fix: Fix) {
    let verdict = quality.verdictIgnoringAge(for: fix)
    guard verdict.isUsable else {
      counters.gpsRefused[verdict.reason, default: 0] += 1
      forgetOnUntrustedTime(fix.time, of: "fix")
      return
    }
    if track.append(fix) {
      counters.gpsFixes += 1
      lastFixTime = fix.time
      expireIfDue(now: retentionClock.trust(fix.time, at: monotonicNow()))
    } else {
      // Not later than the track's last fix, or an invalid position: its time is judged as a refused fix's.
      forgetOnUntrustedTime(fix.time, of: "fix")
    }
  }

  /// Reads one frame and decides every sighting that it closes. `arrived` is when the frame
  /// entered the agent (its queue), by default now.
  public func process(_ frame: Frame, arrived: ContinuousClock.Instant? = nil) throws {
    counters.frames += 1
    let started = ContinuousClock.now
    closingFrame = (frame.time, arrived ?? started)
    defer { closingFrame = nil }
    retryWaitingWrites()
    let reads: [PlateRead]
    do {
      if frame.pixelFormat.isJPEG { cropper.remember(time: frame.time, jpeg: frame.bytes) }
      let luma = try frame.luma(decoder: decoder)
      reads = try reader.plates(in: luma, of: frame)
    } catch {
      counters.damagedFrames += 1
      logger.debug("frame skipped", metadata: ["frame.seq": "\(frame.sequence)", "error": "\(error)"])
      // A damaged frame's time is judged as a refused fix's: it may not start forgetting on its own.
      forgetOnUntrustedTime(frame.time, of: "frame")
      return
    }
    // Whatever came due while the vehicle was off is forgotten before the first frame is read.
    if !retention.startPassDone { applyRetention(now: frame.time) }
    frameTimes.record(since: started)
    counters.plateReads += reads.count
    // The frame's clock moves forgetting on even when one of its decisions fails to be stored.
    defer { expireIfDue(now: retentionClock.trust(frame.time, at: monotonicNow())) }
    for sighting in tracker.update(time: frame.time, reads: reads) { try decide(sighting) }
    if counters.frames % 300 == 0 { updateTimings() }
  }

  /// The daemon's retention tick, on the pipeline's own thread: when no frame or fix carried a
  /// usable time for a minute of the monotonic clock (the camera down, gpsd silent or without a
  /// fix), forgets at the last source time plus the monotonic time since; before any source time,
  /// at `wallClock`. A no-op while the sources keep the clock current.
  public func retentionTick(wallClock: Date = Date()) {
    guard let now = retentionClock.tick(at: monotonicNow(), wallClock: wallClock) else { return }
    counters.retentionTicks += 1
    logger.debug("retention on the extrapolated clock", metadata: ["retention.time": "\(UTCTime.format(now))"])
    expireIfDue(now: now)
  }

  /// A refused fix's or a damaged frame's time: forgets at it when ``RetentionClock`` finds it
  /// plausible; a time too far ahead of the trusted clock is counted, never used.
  private func forgetOnUntrustedTime(_ time: Date, of source: String) {
    switch retentionClock.consider(time, at: monotonicNow()) {
    case .taken(let now): expireIfDue(now: now)
    case .tooFarAhead:
      counters.retentionTimesRefused += 1
      logger.debug(
        "a time too far ahead of the trusted clock is not used for forgetting",
        metadata: ["retention.source": "\(source)", "retention.refused_time": "\(UTCTime.format(time))"])
    case .notLater, .noAnchor: break
    }
  }

  /// Enforces new zones from the next sighting on (a reload). Marks whose zone or policy is gone
  /// expire at the next expiry pass.
  public func replaceZones(_ zones: ZoneSet) {
    ledger.replaceZones(zones)
    counters.zonesReplaced += 1
    lastExpiry = nil
  }

  /// Enforces a newer verified permit list from the next sighting on (a reload or a new version).
  public func replacePermits(_ permits: PermitsInForce) {
    self.permits = permits
    ledger.permits = permits.registry
    counters.permitsReplaced += 1
  }

  /// Counts a fault the frame source survived.
  public func sourceFault() { counters.sourceFaults += 1 }

  /// Closes every open track and decides it (end of a dump, or shutdown).
  public func finish() throws -> PipelineCounters {
    for sighting in tracker.finish() { try decide(sighting) }
    retryWaitingWrites(force: true)
    reportUnwritten()
    updateTimings()
    return counters
  }

  private func decide(_ read: TrackedPlate) throws {
    let started = ContinuousClock.now
    counters.sightings += 1
    let time = read.evidenceTime
    let position = curbPosition(at: time)
    if position == nil { counters.withoutPosition += 1 }
    let evidenceID = UUID()
    let sighting = Sighting(
      time: time, position: position, alternatives: try hashedAlternatives(read, at: time),
      evidence: EvidenceID(evidenceID))
    let outcome = ledger.decide(sighting)
    if case .skipped(let reason) = outcome.decision { counters.skipped[reason.rawValue, default: 0] += 1 }
    if case .chalked(_, true) = outcome.decision { counters.renewedChalkMarks += 1 }
    // The vault follows the ledger: a new mark is stored with this sighting's evidence (which a
    // candidate made by the same sighting then references), a known one is updated, and marks the
    // sighting ended go last, after the candidate took what it needs of their evidence.
    // Its evidence is sealed for the candidates it may come to be part of (see
    // `PatrolPipeline+CandidateBinding.swift`): a candidate takes the id its chalk mark fixed.
    var evidenceStored = false
    var candidate: Candidate?
    if case .candidate(let made) = outcome.decision { candidate = try withBoundID(made, outcome: outcome, at: time) }
    if let saved = outcome.saved {
      if persisted.contains(saved.id) {
        updateLastSeen(saved)
      } else {
        evidenceStored = try storeChalkMark(
          saved, read: read, evidenceID: evidenceID, countRead: candidate == nil,
          sealedFor: try candidateIDs(ofNewMark: saved, at: time) + (candidate.map { [$0.id] } ?? []))
      }
    }
    if let candidate {
      try storeCandidate(
        Self.withStoredEvidence(candidate, removed: outcome.removed, persisted: persisted), read: read,
        evidenceID: evidenceID,
        evidenceStored: evidenceStored)
    }
    deleteMarks(outcome.removed.map(\.id))
    decisionTimes.record(since: started)
    // Sightings a frame closed have a latency; those closed at the end of a stream have none.
    if let closingFrame {
      let processing = Timings.milliseconds(ContinuousClock.now - closingFrame.arrived)
      processingLatencies.record(milliseconds: processing)
      latencies.record(milliseconds: closingFrame.time.timeIntervalSince(read.lastSeen) * 1000 + processing)
    }
  }

  private func curbPosition(at time: Date) -> CurbPosition? {
    guard let lastFixTime, abs(time.timeIntervalSince(lastFixTime)) <= max(profile.gps.maxFixAge, 1) + 1 else {
      return nil
    }
    guard case .success(let pose) = track.pose(at: time), let estimate = projection.project(pose) else { return nil }
    return CurbPosition(
      latitude: estimate.position.latitude, longitude: estimate.position.longitude, uncertainty: estimate.uncertainty)
  }

  /// Each canonical reading hashed under every key window the ledger may match it in; the text
  /// itself goes no further than this function.
  private func hashedAlternatives(_ read: TrackedPlate, at time: Date) throws -> [PlateAlternative] {
    let windows = ledger.keyWindows(at: time)
    let hashersNow = try windows.map { try hasher(for: $0, at: time) }
    return read.alternatives.prefix(profile.reader.alternatives).map { alternative in
      let canonical = PlateCanonicalForm.canonical(alternative.text)
      var keys = hashersNow.map { PlateKey(window: KeyWindowID($0.window.id), bytes: Array($0.hash(canonical).bytes)) }
      // Under the permit key too, so any alternative may match a permit; marks keep only their own window's keys.
      if let permits { keys.append(permits.key(canonical)) }
      return PlateAlternative(keys: keys, confidence: alternative.confidence)
    }
  }

  func hasher(for window: KeyWindowID, at time: Date) throws -> PlateHasher {
    if let known = hashers[window] { return known }
    let made = try vault.plateHasher(
      for: ChalkWindow(id: window.rawValue, expiresAt: latestClose(of: window, at: time)))
    hashers[window] = made
    return made
  }

  private func seal(_ read: TrackedPlate, evidenceID: UUID, for candidates: [UUID]) throws -> SealedEvidence {
    let crops = try evidenceCrops(read)
    let capture = EvidenceCapture(
      plateJPEG: crops.plate, vehicleJPEG: crops.vehicle, plateAlternatives: read.alternatives.map(\.text),
      capturedAt: read.evidenceTime)
    return try sealer.seal(capture, id: evidenceID, for: candidates)
  }

  /// The plate and vehicle crops from the sighting's frame. Raw (YUYV/GREY) frames are not kept:
  /// their evidence is the rectified plate crop alone, by design. When kept frames exist but the
  /// crop fails (the frame no longer kept, a decode or encode failure) the evidence is the plate
  /// crop alone too, counted and logged: a reviewer gets no picture of the vehicle.
  private func evidenceCrops(_ read: TrackedPlate) throws -> (plate: Data, vehicle: Data) {
    if cropper.keepsFrames {
      do { return try cropper.crops(for: read.evidence, at: read.evidenceTime) } catch {
        counters.evidenceWithoutVehicle += 1
        logger.warning(
          "evidence stored without the vehicle picture: its frame could not be cropped",
          metadata: ["evidence.time": "\(UTCTime.format(read.evidenceTime))", "error": "\(error)"])
      }
    }
    return try cropper.plateOnly(read.evidence.crop)
  }

  /// Stores a new mark with this sighting's evidence; returns whether the evidence is now stored.
  private func storeChalkMark(
    _ mark: ChalkMark, read: TrackedPlate, evidenceID: UUID, countRead: Bool, sealedFor candidates: [UUID]
  ) throws -> Bool {
    // The vault keeps placed, keyed marks only: without a position the car cannot be found again.
    guard mark.first.position != nil, mark.window != nil else { return false }
    let outcome: ChalkMarkOutcome
    do {
      outcome = try vault.recordChalkMark(mark, evidence: seal(read, evidenceID: evidenceID, for: candidates))
    } catch let
      error as VaultError where error.code == .diskFull
    {
      outcome = .refusedDiskFull
    }
    switch outcome {
    case .stored:
      counters.chalkMarks += 1
      persisted.insert(mark.id)
      addToAggregate(hour: mark.first.time, zone: mark.zone.rawValue, reads: countRead ? 1 : 0, chalkMarks: 1)
      return true
    case .refusedQuotaFull, .refusedDiskFull:
      if outcome == .refusedQuotaFull { counters.refusedByQuota += 1 } else { counters.refusedByDiskSpace += 1 }
      logger.warning(
        "vault full: chalk mark refused", metadata: ["zone": "\(mark.zone)", "vault.refused": "\(outcome)"])
      // The car is not chalked: without its first picture stored, a later candidate would lack it.
      dropFromLedger([mark.id])
      return false
    }
  }

  private func storeCandidate(
    _ candidate: Candidate, read: TrackedPlate, evidenceID: UUID, evidenceStored: Bool
  ) throws {
    guard candidate.first.position != nil, candidate.second.position != nil else {
      logger.error(
        "a violation candidate without a position cannot be queued", metadata: ["candidate.id": "\(candidate.id)"])
      return
    }
    let sealed = evidenceStored ? [] : [try seal(read, evidenceID: evidenceID, for: [candidate.id])]
    guard enqueue(candidate, sealed: sealed) else { return }
    logger.notice(
      "violation candidate queued for review",
      metadata: [
        "candidate.id": "\(candidate.id)", "zone": "\(candidate.zone)", "rule": "\(candidate.rule.wireName)",
        "elapsed.minutes": "\(Int(candidate.enforcedElapsed / 60))",
      ])
  }

  /// The timing percentiles into the counters (at the end, and every few hundred frames for status).
  private func updateTimings() {
    counters.frameMillisecondsP50 = frameTimes.milliseconds(atPercentile: 50)
    counters.frameMillisecondsP99 = frameTimes.milliseconds(atPercentile: 99)
    counters.decisionMillisecondsP50 = decisionTimes.milliseconds(atPercentile: 50)
    counters.decisionMillisecondsP99 = decisionTimes.milliseconds(atPercentile: 99)
    counters.latencyMillisecondsP50 = latencies.milliseconds(atPercentile: 50)
    counters.latencyMillisecondsP99 = latencies.milliseconds(atPercentile: 99)
    counters.processingLatencyMillisecondsP50 = processingLatencies.milliseconds(atPercentile: 50)
    counters.processingLatencyMillisecondsP99 = processingLatencies.milliseconds(atPercentile: 99)
  }
}
