// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineModel
import Crypto
import Dump
import Enforcement
import Foundation
import Logging
import PlateReading
import Vault
import Wire

/// Candidate recall and false candidates of a generated patrol (`tools/patrol/generate.py`, its
/// `expected.json` beside the dump): the dump replays through the road's pipeline into a fresh
/// vault whose evidence is sealed to a key this benchmark holds, and each candidate's second
/// sighting is opened, as the upstream would, to compare its plate text with the truth.
///
/// A development figure (`chalkline bench --only patrol`): the plate texts exist only in this
/// process's memory and the truth files; nothing is logged or printed but counts.
public enum PatrolBenchmark {
  /// What one patrol gave.
  public struct Score: Sendable, Equatable {
    /// Cars `expected.json` lists as candidates.
    public var expected = 0
    /// Of those, found once with the right text (O/0 folded) in the right zone.
    public var found = 0
    /// Candidates for cars that must not be candidates, by their `kind` (left, moved, …).
    public var falseByKind: [String: Int] = [:]
    /// Candidates whose text is no car's of the patrol.
    public var wrongText = 0
    /// Candidates with the text of an expected one in another zone, or a second one for it.
    public var wrongZone = 0
    public var duplicates = 0
    /// The read confidence (the manifest's) of each candidate found, and of each false one.
    public var foundConfidences: [Double] = []
    public var falseConfidences: [Double] = []
    /// Every sighting's confidence (the one the ledger compares with `reader.min_confidence`)
    /// against whether its text is the plate of a car of the patrol (O/0 folded).
    public var sightings = Reliability()
    /// Every false candidate.
    public var falseCandidates: Int { falseByKind.values.reduce(0, +) + wrongText + wrongZone + duplicates }
    public var recall: Double { expected > 0 ? Double(found) / Double(expected) : 0 }
  }

  struct Expected: Decodable {
    struct Candidate: Decodable {
      var plate: String
      var zone: String
    }
    struct NotCandidate: Decodable {
      var plate: String
      var kind: String?
    }
    var candidates: [Candidate]
    var notCandidates: [NotCandidate]

    enum CodingKeys: String, CodingKey {
      case candidates
      case notCandidates = "not_candidates"
    }
  }

  /// Replays `dump` with `profile` (its state directory replaced by a fresh one under `scratch`)
  /// and scores the candidates against the dump's `expected.json`.
  public static func run(
    profile: DeviceProfile, dump: URL, scratch: URL, reader: (any FramePlateReader)? = nil,
    tracker: PlateTracker.Configuration? = nil, logger: Logger
  ) async throws -> (summary: ReplaySummary, score: Score) {
    let expected = try JSONDecoder().decode(
      Expected.self, from: Data(contentsOf: dump.appendingPathComponent("expected.json")))
    var profile = profile
    profile.vault.stateDirectory = scratch.path
    try? FileManager.default.removeItem(at: scratch)
    let upstream = Curve25519.KeyAgreement.PrivateKey()
    let vault = try ReplayRunner.openVault(
      profile: profile,
      upstreamKeys: (upstream.publicKey.rawRepresentation, Curve25519.Signing.PrivateKey().publicKey.rawRepresentation),
      logger: logger)
    defer { vault.closeLoggingFailure() }
    var runner = ReplayRunner(profile: profile, dump: dump, pace: .fast, logger: logger)
    // The pipeline reads through a recorder that closes the same sightings it does, to score each.
    let inner = try reader ?? PlateReader.shipped(alternatives: profile.reader.alternatives, logger: logger)
    let tracker = (tracker ?? PlateTracker.Configuration()).withLayoutPrior(of: inner)
    let recorder = SightingRecorder(reader: inner, tracker: tracker)
    runner.reader = recorder
    runner.tracker = tracker
    // The patrol's cars hold no permit: the rules a permit would lift apply to each of them, as
    // with the city's list on the road (without one, those rules are not enforced at all).
    runner.permits = try PermitsInForce.namingNoPlate(classes: permitClasses(profile: profile, logger: logger))
    let summary = try await runner.run(vault: vault)
    let opener = EvidenceOpener(privateKey: upstream)
    var found: [(text: String, zone: String, confidence: Double)] = []
    for candidate in try await vault.pendingCandidates(limit: 100_000) {
      guard let last = candidate.evidence.last else { continue }
      let manifest = try candidate.manifest()
      let text =
        try opener.open(last, candidate: candidate.id, devices: [manifest.device]).plateAlternatives.first ?? ""
      found.append((text, manifest.zone, manifest.readConfidence ?? 0))
    }
    var score = score(found, expected: expected)
    score.sightings = reliability(of: recorder.finish(), expected: expected)
    return (summary, score)
  }

  /// Each sighting's confidence against whether its best text is a patrol car's plate.
  static func reliability(of sightings: [TrackedPlate], expected: Expected) -> Reliability {
    let plates = Set((expected.candidates.map(\.plate) + expected.notCandidates.map(\.plate)).map(fold))
    return Reliability(
      sightings.map { .init(confidence: $0.confidence, right: plates.contains(fold($0.text)), frames: $0.fusedFrames) })
  }

  /// Plate texts as score-plates.py compares them (O folded into 0).
  static func fold(_ text: String) -> String { PlateReadingBenchmark.fold(text) }

  /// The user classes the profile's rules name, vehicle types aside: the classes a permit list names.
  static func permitClasses(profile: DeviceProfile, logger: Logger) throws -> Set<UserClass> {
    let zones = try AgentDaemon.zonesInForce(profile: profile, hubDocument: nil, logger: logger).zones
    let named = zones.policies.values.flatMap { $0.rules.flatMap(\.userClasses) }
    return Set(named).subtracting(ZoneRuleCheck.vehicleTypeClasses)
  }

  /// Each candidate (its text and zone) against the truth: plate texts compared with O folded into 0.
  static func score(_ candidates: [(text: String, zone: String, confidence: Double)], expected: Expected) -> Score {
    var score = Score()
    score.expected = expected.candidates.count
    let wanted = Dictionary(expected.candidates.map { (fold($0.plate), $0.zone) }, uniquingKeysWith: { a, _ in a })
    let others = Dictionary(
      expected.notCandidates.map { (fold($0.plate), $0.kind ?? "other") }, uniquingKeysWith: { a, _ in a })
    var seen: Set<String> = []
    for candidate in candidates {
      let text = fold(candidate.text)
      if let zone = wanted[text] {
        if zone != candidate.zone {
          score.wrongZone += 1
        } else if seen.insert(text).inserted {
          score.found += 1
          score.foundConfidences.append(candidate.confidence)
          continue
        } else {
          score.duplicates += 1
        }
      } else if let kind = others[text] {
        score.falseByKind[kind, default: 0] += 1
      } else {
        score.wrongText += 1
      }
      score.falseConfidences.append(candidate.confidence)
    }
    return score
  }
}
