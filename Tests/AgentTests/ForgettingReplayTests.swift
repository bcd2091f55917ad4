// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineTestKit
import Crypto
import Dump
import Enforcement
import Foundation
import Imaging
import Logging
import PlateReading
import Positioning
import Testing
import Vault
import Wire

@testable import Agent

/// The same patrol filmed two days later (`generate.py --start`), made once per test run.
enum WednesdayPatrol {
  static let start = "2026-03-04T17:00:00Z"
  static let directory: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("chalkline-patrol-wed-\(getpid())")
    if !FileManager.default.fileExists(atPath: url.appendingPathComponent("expected.json").path) {
      let script = TestPaths.packageRoot.appendingPathComponent("tools/patrol/generate.py").path
      let result = try! runCommand(
        URL(fileURLWithPath: "/usr/bin/python3"), [script, "--out", url.path, "--start", start])
      precondition(result.status == 0, "patrol generator failed: \(result.standardError)")
    }
    return url
  }()
}

/// Forgetting in the running agent (docs/forgetting.md): replays on the dump's clock close the
/// chalk windows the ledger no longer needs, with their keys, rows and marks.
@Suite("Forgetting in the agent", .serialized)
struct ForgettingReplayTests {
  let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .warning, journal: false) }

  func profile(state: URL) throws -> DeviceProfile { try replayProfile(state: state) }

  func replay(_ dump: URL, into state: URL) async throws -> ReplaySummary {
    let profile = try profile(state: state)
    let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
    defer { try? vault.close() }
    return try await ReplayRunner(
      profile: profile, dump: dump, pace: .fast, reader: try TruthReader(patrol: dump), logger: logger
    ).run(vault: vault)
  }

  @Test("Monday's windows leave no key, row or file after Wednesday's replay; its candidates stay in the outbox")
  func twoDaysApart() async throws {
    try await withTemporaryDirectory(prefix: "cl-forget") { directory in
      let state = directory.appendingPathComponent("state")
      let monday = try await replay(GeneratedPatrol.directory, into: state)
      // No permit list is held here: no candidate where a permit would lift the rule (#22).
      let expected = GeneratedPatrol.expectedWithoutPermitList.values.reduce(0, +)
      #expect(expected > 0)
      #expect(monday.counters.candidates == expected)
      let mondayCandidates = try Set(outbox(state).map(\.id))
      #expect(mondayCandidates.count == expected)
      #expect(try keysShow(state).map(\.id) == ["chalk-2026-03-02"])

      let wednesday = try await replay(WednesdayPatrol.directory, into: state)
      #expect(wednesday.counters.chalkWindowsClosed >= 1)
      #expect(wednesday.counters.vaultWriteFailures == 0)
      #expect(try keysShow(state).map(\.id) == ["chalk-2026-03-04"])
      let vault = try Vault(stateDirectory: state, exclusive: false, logger: logger)
      defer { try? vault.close() }
      let leftovers =
        try vault.liveChalkMarks().compactMap(\.window?.rawValue).filter { $0.contains("2026-03-02") }
        + vault.chalkWindows().map(\.id).filter { $0.contains("2026-03-02") }
      #expect(leftovers.isEmpty, "\(leftovers)")
      #expect(try vault.windowKeyInconsistencies().isEmpty)
      for case let file as URL in FileManager.default.enumerator(at: state, includingPropertiesForKeys: nil)! {
        #expect(!file.lastPathComponent.contains("2026-03-02"), "\(file.path)")
      }
      // Unsynced candidates of Monday are all still there, beside Wednesday's.
      let pending = try Set(outbox(state).map(\.id))
      #expect(pending.isSuperset(of: mondayCandidates))
      #expect(pending.count == 2 * expected)
    }
  }

  @Test("with the camera down, the GPS clock alone closes a window that came due")
  func fixesAloneCloseWindows() async throws {
    try await withTemporaryDirectory(prefix: "cl-forget-gps") { directory in
      let state = directory.appendingPathComponent("state")
      _ = try await replay(GeneratedPatrol.directory, into: state)
      #expect(try keysShow(state).map(\.id) == ["chalk-2026-03-02"])
      let profile = try profile(state: state)
      let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
      defer { try? vault.close() }
      let zones = try profile.enforcement.loadRules()
      let pipeline = try PatrolPipeline(
        profile: profile, zones: zones, vault: vault, reader: try TruthReader(patrol: WednesdayPatrol.directory),
        logger: logger)
      #expect(pipeline.counters.restoredChalkMarks > 0)
      for fix in DumpFeed.fixes(in: WednesdayPatrol.directory, logger: logger).prefix(5) { pipeline.add(fix) }
      #expect(pipeline.counters.chalkWindowsClosed == 1)
      #expect(try vault.chalkWindows().isEmpty)
      #expect(try vault.liveChalkMarks().isEmpty)
    }
  }

  /// `chalkline keys show --json`'s `chalk_windows`, from the built binary.
  func keysShow(_ state: URL) throws -> [(id: String, marks: Int)] {
    let result = try runCommand(
      TestPaths.product("chalkline"), ["keys", "show", "--state-dir", state.path, "--json", "--actor", "test"])
    #expect(result.status == 0, "\(result.standardError)")
    let object = try #require(
      try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    let windows = try #require(object["chalk_windows"] as? [[String: Any]])
    for window in windows {
      #expect(window["opened"] is String && window["closes"] is String)
    }
    return windows.map { ($0["id"] as? String ?? "?", $0["marks"] as? Int ?? -1) }
  }

  func outbox(_ state: URL) throws -> [OutboxCandidate] {
    let vault = try Vault(stateDirectory: state, exclusive: false, logger: logger)
    defer { try? vault.close() }
    return try vault.pendingCandidates(limit: 1000)
  }

  @Test("a no-return candidate is queued with the stored evidence of the earlier stay")
  func noReturnKeepsItsEvidence() async throws {
    try await withTemporaryDirectory(prefix: "cl-noreturn") { directory in
      let patrol = GeneratedPatrol.directory
      let profile = try profile(state: directory.appendingPathComponent("state"))
      let upstream = Curve25519.KeyAgreement.PrivateKey()
      let vault = try ReplayRunner.openVault(
        profile: profile,
        upstreamKeys: (
          upstream.publicKey.rawRepresentation, Curve25519.Signing.PrivateKey().publicKey.rawRepresentation
        ), logger: logger)
      defer { try? vault.close() }
      let expected =
        try JSONSerialization.jsonObject(
          with: Data(contentsOf: patrol.appendingPathComponent("expected.json"))) as! [String: Any]
      // Car a stays in the no-return zone (E Santa Clara St, 0 block north) through both passes;
      // car c arrives there between them.
      let noReturnZone = "fbecfba9-6a5b-5355-8baa-c8cd2610c2ca"
      let stayer = try #require(
        (expected["candidates"] as! [[String: String]]).first { $0["zone"] == noReturnZone }?["plate"])
      let arrival = try #require(
        (expected["not_candidates"] as! [[String: String]]).first { $0["why"] == "arrived after the first pass" }?[
          "plate"])
      let reader = ScriptedTruthReader(truth: try TruthReader(patrol: patrol))
      let zones = try profile.enforcement.loadRules()
      let pipeline = try PatrolPipeline(profile: profile, zones: zones, vault: vault, reader: reader, logger: logger)
      let passes = GeneratedPatrol.passes
      let second = passes[1]..<Date.distantFuture
      // 09:00 chalked; 11:15 an overstay; 11:45 seen again in place (already flagged, not stored);
      // 12:15 the same car 50 m up the block, within no_return (3 h) of leaving: a no-return candidate.
      try await drive(pipeline, patrol, span: Date.distantPast..<passes[1], shift: 0)
      try await drive(pipeline, patrol, span: second, shift: 0)
      try await drive(pipeline, patrol, span: second, shift: 1800)
      reader.relabel = [arrival: stayer]
      reader.hidden = [stayer]
      try await drive(pipeline, patrol, span: second, shift: 3600)
      let counters = try pipeline.finish()
      #expect(counters.vaultWriteFailures == 0)
      let pending = try await vault.pendingCandidates(limit: 100)
      let rules = try pending.map { try $0.manifest().rule }.sorted()
      // The stayer's overstay and its no-return (the 2 h zone whose rule a permit lifts is not
      // enforced without a permit list).
      #expect(rules == ["max_stay", "no_return"], "\(rules)")
      let noReturn = try #require(try pending.first { try $0.manifest().rule == "no_return" })
      #expect(noReturn.evidence.count == 2)
      #expect(noReturn.verify(devicePublicKey: vault.keyring.deviceKey.publicKey))
      // The earlier stay's sighting is its first one (09:00), whose evidence the vault stored.
      let first = try #require(try noReturn.manifest().sightings.first)
      #expect(first.time.hasPrefix("2026-03-02T17:0"), "\(first.time)")
      // Both candidates carry that evidence, sealed (format v3) for each of them when the car was
      // chalked: it opens for each as that candidate and this device, for neither as the other.
      let overstay = try #require(pending.first { $0.id != noReturn.id })
      #expect(overstay.evidence.first?.id == noReturn.evidence.first?.id)
      let device = keyFingerprint(vault.keyring.deviceKey.publicKey.rawRepresentation)
      let opener = EvidenceOpener(privateKey: upstream)
      for (candidate, other) in [(overstay, noReturn), (noReturn, overstay)] {
        for evidence in candidate.evidence {
          #expect(try opener.open(evidence, candidate: candidate.id, devices: [device]).sealedFor == candidate.id)
          #expect(throws: WireError.self) { _ = try opener.open(evidence, candidate: other.id, devices: [device]) }
          #expect(throws: WireError.self) {
            _ = try opener.open(evidence, candidate: candidate.id, devices: ["other"])
          }
        }
      }
    }
  }

  /// Feeds one pass of the dump (frames and fixes in `span`) to the pipeline, `shift` seconds later.
  func drive(_ pipeline: PatrolPipeline, _ dump: URL, span: Range<Date>, shift: TimeInterval) async throws {
    let from = span.lowerBound == .distantPast ? span.lowerBound : span.lowerBound.addingTimeInterval(-5)
    var fixes = DumpFeed.fixes(in: dump, logger: logger).filter { $0.time >= from && $0.time < span.upperBound }[
      ...]
    for await event in DumpFrameSource(directory: dump.path, pace: .fast, logger: logger).events() {
      guard case .frame(var frame) = event, span.contains(frame.time) else { continue }
      frame.time = frame.time.addingTimeInterval(shift)
      while let fix = fixes.first, fix.time.addingTimeInterval(shift) <= frame.time {
        var shifted = fix
        shifted.time = fix.time.addingTimeInterval(shift)
        pipeline.add(shifted)
        fixes.removeFirst()
      }
      try pipeline.process(frame)
    }
  }
}

/// Ground truth, with some plates read as others (a car that moved) or not at all.
final class ScriptedTruthReader: FramePlateReader {
  let truth: TruthReader
  var relabel: [String: String] = [:]
  var hidden: Set<String> = []

  init(truth: TruthReader) { self.truth = truth }

  func plates(in luma: LumaImage, of frame: Frame) throws -> [PlateRead] {
    try truth.plates(in: luma, of: frame).compactMap { read in
      if hidden.contains(read.text) { return nil }
      guard let text = relabel[read.text] else { return read }
      var copy = read
      copy.text = text
      copy.alternatives = [TextAlternative(text: text, confidence: 0.9)]
      return copy
    }
  }
}
