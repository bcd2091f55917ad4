// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Dump
import Foundation
import Logging
import Testing
import Vault

/// The generated patrol (tools/patrol/generate.py), made once per test run and shared.
enum GeneratedPatrol {
  static let directory: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("chalkline-patrol-\(getpid())")
    if !FileManager.default.fileExists(atPath: url.appendingPathComponent("expected.json").path) {
      let script = TestPaths.packageRoot.appendingPathComponent("tools/patrol/generate.py").path
      let result = try! runCommand(URL(fileURLWithPath: "/usr/bin/python3"), [script, "--out", url.path])
      precondition(result.status == 0, "patrol generator failed: \(result.standardError)")
    }
    return url
  }()

  struct Expected: Decodable {
    struct Candidate: Decodable {
      var zone: String
    }
    var candidates: [Candidate]
    var passes: [String]
  }

  /// When each pass of the patrol starts.
  static var passes: [Date] {
    let data = try! Data(contentsOf: directory.appendingPathComponent("expected.json"))
    let format = ISO8601DateFormatter()
    format.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return try! JSONDecoder().decode(Expected.self, from: data).passes.compactMap { format.date(from: $0) }
  }

  /// The replay-default profile with its vault in `state`, that vault opened (the caller closes
  /// it) and a logger of warnings: what every replay of the patrol starts from.
  static func openReplayVault(state: URL) throws -> (profile: DeviceProfile, vault: Vault, logger: Logger) {
    let profile = try replayProfile(state: state)
    let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .warning, journal: false) }
    return (profile, try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger), logger)
  }

  static var expectedByZone: [String: Int] {
    let data = try! Data(contentsOf: directory.appendingPathComponent("expected.json"))
    var result: [String: Int] = [:]
    for candidate in try! JSONDecoder().decode(Expected.self, from: data).candidates {
      result[candidate.zone, default: 0] += 1
    }
    return result
  }
}

@Suite("Replay of a generated patrol", .serialized)
struct ReplayTests {
  private func replay(into state: URL, shipped: Bool = false, span: Range<Date>? = nil) async throws -> ReplaySummary {
    let (profile, vault, logger) = try GeneratedPatrol.openReplayVault(state: state)
    defer { try? vault.close() }
    let reader: (any FramePlateReader)? = shipped ? nil : try TruthReader(patrol: GeneratedPatrol.directory)
    var runner = ReplayRunner(
      profile: profile, dump: GeneratedPatrol.directory, pace: .fast, reader: reader, logger: logger)
    runner.span = span
    return try await runner.run(vault: vault)
  }

  @Test("an agent restarted between the passes still finds the candidates: chalk marks come back from the vault")
  func chalkMarksSurviveARestart() async throws {
    try await withTemporaryDirectory { directory in
      let secondPass = try #require(GeneratedPatrol.passes.last)
      let before = Date.distantPast..<secondPass
      let after = secondPass..<Date.distantFuture
      let state = directory.appendingPathComponent("state")
      let first = try await replay(into: state, span: before)
      #expect(first.counters.chalkMarks > 0)
      #expect(first.counters.candidates == 0)
      // A new process: a new pipeline, a new ledger, the same vault.
      let second = try await replay(into: state, span: after)
      #expect(second.counters.restoredChalkMarks == first.counters.chalkMarks - first.counters.expiredChalkMarks)
      #expect(
        second.candidatesByZone == GeneratedPatrol.expectedWithoutPermitList, "\(second.lines.joined(separator: "\n"))")
      // Without the first pass's marks the second pass alone finds nothing.
      let alone = try await replay(into: directory.appendingPathComponent("fresh"), span: after)
      #expect(alone.counters.restoredChalkMarks == 0)
      #expect(alone.counters.candidates == 0)
    }
  }

  @Test("with the plates read right, the patrol's overstaying cars become candidates and nothing else does")
  func findsExpectedCandidates() async throws {
    try await withTemporaryDirectory { directory in
      let summary = try await replay(into: directory.appendingPathComponent("state"))
      #expect(summary.counters.frames > 1000)
      #expect(summary.counters.damagedFrames == 0)
      #expect(summary.counters.withoutPosition == 0)
      #expect(
        summary.candidatesByZone == GeneratedPatrol.expectedWithoutPermitList,
        "\(summary.lines.joined(separator: "\n"))")
      #expect(summary.outbox == summary.counters.candidates)
    }
  }

  @Test("the same dump gives the same decisions every time")
  func deterministic() async throws {
    try await withTemporaryDirectory { directory in
      let first = try await replay(into: directory.appendingPathComponent("a")).counters
      let second = try await replay(into: directory.appendingPathComponent("b")).counters
      #expect(first.withoutTimings == second.withoutTimings)
    }
  }

  @Test("no plate text reaches any file of the vault")
  func noPlateTextOnDisk() async throws {
    try await withTemporaryDirectory { directory in
      let state = directory.appendingPathComponent("state")
      _ = try await replay(into: state)
      let expected = try String(
        contentsOf: GeneratedPatrol.directory.appendingPathComponent("expected.json"), encoding: .utf8)
      let plates = expected.split(separator: "\"").filter {
        $0.count == 7 && $0.allSatisfy { $0.isNumber || $0.isUppercase }
      }
      #expect(!plates.isEmpty)
      let files = FileManager.default.enumerator(at: state, includingPropertiesForKeys: nil)!
      for case let file as URL in files {
        guard let data = try? Data(contentsOf: file) else { continue }
        let text = String(decoding: data, as: UTF8.self).uppercased()
        for plate in plates {
          #expect(!text.contains(plate), "plate text found in \(file.lastPathComponent)")
          #expect(!file.lastPathComponent.uppercased().contains(plate))
        }
      }
    }
  }

  @Test("the worker's running time starts once its pipeline is built, not when it was called (models loading)")
  func runningSinceTheBuild() async throws {
    try await withTemporaryDirectory { directory in
      let (profile, vault, logger) = try GeneratedPatrol.openReplayVault(
        state: directory.appendingPathComponent("state"))
      defer { try? vault.close() }
      let zones = try profile.enforcement.loadRules()
      let queue = FrameQueue(frameCapacity: 2)
      queue.close()
      let worker = PipelineWorker(queue: queue, logger: logger) {
        Thread.sleep(forTimeInterval: 0.3)  // a slow build, as the shipped models' loading is
        return try PatrolPipeline(
          profile: profile, zones: zones, vault: vault, reader: try TruthReader(patrol: GeneratedPatrol.directory),
          logger: logger)
      }
      #expect(worker.progress.runningSince == nil)
      let called = ContinuousClock.now
      _ = try await worker.run()
      let since = try #require(worker.progress.runningSince)
      #expect(since - called >= .milliseconds(300))
    }
  }
}

@Suite("Replay with the shipped plate reader")
struct ShippedReaderReplayTests {
  @Test("the shipped models read the whole patrol through the pipeline")
  func shippedReader() async throws {
    try await withTemporaryDirectory { directory in
      let (profile, vault, logger) = try GeneratedPatrol.openReplayVault(
        state: directory.appendingPathComponent("state"))
      defer { try? vault.close() }
      let summary = try await ReplayRunner(
        profile: profile, dump: GeneratedPatrol.directory, pace: .fast, logger: logger
      )
      .run(vault: vault)
      let frames = try String(
        contentsOf: GeneratedPatrol.directory.appendingPathComponent("frames.jsonl"), encoding: .utf8
      ).split(separator: "\n").count
      #expect(summary.counters.frames == frames)
      #expect(summary.counters.damagedFrames == 0)
      #expect(summary.counters.sourceFaults == 0)
      #expect(summary.outbox == summary.counters.candidates)
    }
  }
}
