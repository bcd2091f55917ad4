// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Imaging

/// Groups the reads of one parked car across consecutive frames into one ``TrackedPlate``.
///
/// A read joins the track whose predicted position (last centre plus its velocity) is nearest,
/// measured in plate widths, with text similarity (edit distance of canonical forms) as a tie
/// breaker and a guard against joining two different cars. A track closes when no read joined it
/// for ``Configuration/maximumGap``; its texts are then fused from all its frames (``Fusion``),
/// and its evidence is the sharpest, most confident, largest view. Not thread-safe: one tracker
/// per camera, fed in frame order.
public final class PlateTracker {
  /// How the tracker matches and closes tracks.
  public struct Configuration: Sendable {
    /// A track with no read for this long is closed (seconds).
    public var maximumGap: TimeInterval = 1.5
    /// A read farther than this from a track's predicted centre (in plate widths) never joins it.
    public var maximumDistance: Double = 2.5
    /// Within this distance (plate widths) a read joins whatever its text says.
    public var sureDistance: Double = 0.6
    /// Farther than `sureDistance`, a read joins only if its text is at least this similar (0…1).
    public var minimumSimilarity: Double = 0.5
    /// Tracks with fewer reads are dropped when they close (one-frame false detections), unless
    /// a read of theirs reaches ``fewReadsMinimumConfidence``.
    public var minimumReads = 2
    /// A track with fewer than ``minimumReads`` reads is kept when one of its reads is at least this
    /// probable (its best text's probability as the reader ranked it, not renormalized by the
    /// fusion; `nil`: never): a car read surely in one frame only is still a sighting (the
    /// demo's plate on a dark car body reads in one of the 11 frames that film it, each pass). 0.6,
    /// the profile's default `reader.min_confidence`: on the two patrols of real photos (seeds 7 and
    /// 11) the same recall and false candidates as dropping them, at 0.6 as at 0.9 (MODEL.md).
    public var fewReadsMinimumConfidence: Double? = 0.6
    /// Alternatives kept per sighting.
    public var alternativeCount = 10
    /// How a car's frames become its texts.
    public var fusion = Fusion.posteriors
    /// The weight of each frame's log-probability in ``Fusion/posteriors`` (1: frames as
    /// independent evidence; lower: frames of one pass are alike and count for less).
    public var fusionTemperature = 1.0
    /// How often each layout occurs (the reader's), applied to the fused texts; `nil`: none.
    public var layoutPrior: LayoutPrior?
    /// Whether the prior weighs in each frame, as the reader's own ranking does (the frames'
    /// reads are then fused as the reader ranks them), rather than once. Each frame: on two
    /// patrols of real photos recall 22 -> 23 and 22 -> 22 of 24, false candidates 1 -> 1 and 3 -> 1.
    public var layoutPriorEachFrame = true
    /// The most frames a track keeps for the fusion (a car in view for long keeps its surest ones).
    public var maximumFusedReads = 16
    /// Turns the fused probability of a sighting's best text into the probability that it is right
    /// (`nil`: the fused probability as it is).
    public var calibration: ConfidenceCalibration?
    /// Creates the default configuration.
    public init() {}
  }

  struct Track {
    var id: Int
    var firstSeen: Date
    var lastSeen: Date
    var centre: Point2D
    var width: Double
    var velocity = Point2D(x: 0, y: 0)
    var votes: [String: (text: String, score: Double)] = [:]
    var frames: [FrameEvidence] = []
    var evidence: PlateRead
    var evidenceTime: Date
    var evidenceScore: Double
    var reads = 1

    var leader: String {
      votes.max { $0.value.score < $1.value.score }?.key ?? ""
    }
  }

  /// The configuration in force.
  public let configuration: Configuration
  private var tracks: [Track] = []
  private var nextID = 1

  /// Creates a tracker.
  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// How many tracks are open.
  public var openTracks: Int { tracks.count }

  /// Adds one frame's reads (taken at `time`; frames must come in time order) and returns the
  /// sightings that closed because their car was not seen for ``Configuration/maximumGap``.
  public func update(time: Date, reads: [PlateRead]) -> [TrackedPlate] {
    // Close stale tracks first, so a new car at an old car's spot starts its own track.
    let closed = close { time.timeIntervalSince($0.lastSeen) > configuration.maximumGap }
    // Every (track, read) pair within the gate, cheapest first; greedy one-to-one matching.
    var pairs: [(cost: Double, track: Int, read: Int)] = []
    for (ti, t) in tracks.enumerated() {
      let dt = time.timeIntervalSince(t.lastSeen)
      let predicted = Point2D(x: t.centre.x + t.velocity.x * dt, y: t.centre.y + t.velocity.y * dt)
      for (ri, r) in reads.enumerated() {
        let c = r.quad.center
        let width = max(1, max(t.width, Self.width(of: r.quad)))
        let distance = hypot(c.x - predicted.x, c.y - predicted.y) / width
        guard distance <= configuration.maximumDistance else { continue }
        let similarity = Self.similarity(PlateCanonicalForm.canonical(r.text), t.leader)
        guard distance <= configuration.sureDistance || similarity >= configuration.minimumSimilarity else { continue }
        pairs.append((distance + 2 * (1 - similarity), ti, ri))
      }
    }
    pairs.sort { $0.cost < $1.cost }
    var usedTracks = Set<Int>()
    var usedReads = Set<Int>()
    for p in pairs where !usedTracks.contains(p.track) && !usedReads.contains(p.read) {
      usedTracks.insert(p.track)
      usedReads.insert(p.read)
      join(&tracks[p.track], reads[p.read], at: time)
    }
    for (ri, r) in reads.enumerated() where !usedReads.contains(ri) {
      var t = Track(
        id: nextID, firstSeen: time, lastSeen: time, centre: r.quad.center, width: Self.width(of: r.quad),
        evidence: r, evidenceTime: time, evidenceScore: Self.evidenceScore(r))
      nextID += 1
      vote(&t, r)
      keep(&t, r)
      tracks.append(t)
    }
    return closed
  }

  /// Closes every open track (end of a drive or a replay) and returns their sightings.
  public func finish() -> [TrackedPlate] { close { _ in true } }

  private func join(_ t: inout Track, _ r: PlateRead, at time: Date) {
    let c = r.quad.center
    let dt = time.timeIntervalSince(t.lastSeen)
    if dt > 0 {
      let v = Point2D(x: (c.x - t.centre.x) / dt, y: (c.y - t.centre.y) / dt)
      // Smooth the velocity: single reads jitter by a few pixels.
      t.velocity = t.reads == 1 ? v : Point2D(x: 0.5 * t.velocity.x + 0.5 * v.x, y: 0.5 * t.velocity.y + 0.5 * v.y)
    }
    t.centre = c
    t.width = Self.width(of: r.quad)
    t.lastSeen = time
    t.reads += 1
    vote(&t, r)
    keep(&t, r)
    let score = Self.evidenceScore(r)
    if score > t.evidenceScore {
      t.evidence = r
      t.evidenceTime = time
      t.evidenceScore = score
    }
  }

  private func vote(_ t: inout Track, _ r: PlateRead) {
    for a in r.alternatives {
      let key = PlateCanonicalForm.canonical(a.text)
      let w = a.confidence * r.detectionScore
      if let v = t.votes[key] {
        t.votes[key] = (v.text, v.score + w)
      } else {
        t.votes[key] = (a.text, w)
      }
    }
  }

  private func keep(_ t: inout Track, _ r: PlateRead) {
    t.frames.append(FrameEvidence(r))
    if t.frames.count > configuration.maximumFusedReads,
      let weakest = t.frames.indices.min(by: {
        t.frames[$0].strength < t.frames[$1].strength
      })
    {
      t.frames.remove(at: weakest)
    }
  }

  private func close(where shouldClose: (Track) -> Bool) -> [TrackedPlate] {
    var closed: [TrackedPlate] = []
    tracks.removeAll { t in
      guard shouldClose(t) else { return false }
      if t.reads >= configuration.minimumReads {
        closed.append(sighting(t))
      } else if let minimum = configuration.fewReadsMinimumConfidence,
        t.frames.contains(where: { ($0.alternatives.first?.confidence ?? 0) >= minimum })
      {
        closed.append(sighting(t))
      }
      return true
    }
    return closed
  }

  private func sighting(_ t: Track) -> TrackedPlate {
    var alternatives: [TextAlternative]
    switch configuration.fusion {
    case .posteriors:
      alternatives = Self.fuse(
        t.frames, also: t.votes.values.map(\.text), prior: configuration.layoutPrior,
        priorWeight: configuration.layoutPriorEachFrame ? Double(t.frames.count) : 1,
        count: configuration.alternativeCount,
        temperature: configuration.fusionTemperature)
    case .votes:
      let total = t.votes.values.reduce(0) { $0 + $1.score }
      let ranked = t.votes.values.sorted { $0.score > $1.score }.prefix(configuration.alternativeCount)
      alternatives = ranked.map { TextAlternative(text: $0.text, confidence: total > 0 ? $0.score / total : 0) }
    }
    let fusedFrames = configuration.fusion == .posteriors ? t.frames.count : t.reads
    if let calibration = configuration.calibration {
      alternatives = calibration.apply(alternatives, frames: fusedFrames)
    }
    return TrackedPlate(
      id: t.id, firstSeen: t.firstSeen, lastSeen: t.lastSeen, text: alternatives.first?.text ?? t.evidence.text,
      alternatives: alternatives, evidence: t.evidence, evidenceTime: t.evidenceTime, readCount: t.reads,
      fusedFrames: fusedFrames)
  }

  /// A read's worth as evidence: its confidence times the sharpness of its crop, discounted for
  /// small (far or oblique) views.
  static func evidenceScore(_ r: PlateRead) -> Double {
    r.confidence * sharpness(of: r.crop) * min(1, width(of: r.quad) / 120) * min(1, height(of: r.quad) / 30)
  }

  static func width(of q: Quad) -> Double {
    (hypot(q.topRight.x - q.topLeft.x, q.topRight.y - q.topLeft.y)
      + hypot(q.bottomRight.x - q.bottomLeft.x, q.bottomRight.y - q.bottomLeft.y)) / 2
  }

  static func height(of q: Quad) -> Double {
    (hypot(q.bottomLeft.x - q.topLeft.x, q.bottomLeft.y - q.topLeft.y)
      + hypot(q.bottomRight.x - q.topRight.x, q.bottomRight.y - q.topRight.y)) / 2
  }

  /// 1 − edit distance / longer length: 1 for equal texts, 0 for nothing in common.
  static func similarity(_ a: String, _ b: String) -> Double {
    let x = Array(a)
    let y = Array(b)
    guard !x.isEmpty || !y.isEmpty else { return 1 }
    var prev = Array(0...y.count)
    for i in 1...max(1, x.count) where !x.isEmpty {
      var cur = [i] + [Int](repeating: 0, count: y.count)
      for j in stride(from: 1, through: y.count, by: 1) {
        cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
      }
      prev = cur
    }
    let d = x.isEmpty ? y.count : prev[y.count]
    return 1 - Double(d) / Double(max(x.count, y.count))
  }
}
