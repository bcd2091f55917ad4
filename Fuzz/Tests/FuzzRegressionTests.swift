// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineModel
import Foundation
import Hub
import Testing
import Wire

@testable import ChalklineFuzz

/// Every file of the committed corpus (`Fuzz/corpus/TARGET/`: the seeds and every input that
/// once crashed a target, named `crash-…`) through its target, in the normal build: what the
/// fuzzer found stays fixed without a fuzz build.
@Suite(.serialized) struct FuzzRegressionTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("corpus")

  static func inputs(_ target: FuzzTarget) -> [URL] {
    let dir = corpus.appendingPathComponent(target.rawValue)
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
    return names.sorted().map { dir.appendingPathComponent($0) }
  }

  @Test func corpusRunsClean() throws {
    defer { FuzzTarget.removeScratchDirectory() }
    for target in FuzzTarget.allCases {
      let files = Self.inputs(target)
      #expect(!files.isEmpty, "Fuzz/corpus/\(target.rawValue) holds no seed")
      for file in files { target.run(try Data(contentsOf: file)) }
    }
  }
}

/// The seeds reach the code past the first refusal, where the fuzzer has most to find.
@Suite struct FuzzSeedTests {
  @Test("the permits seed gets its key sealed to this vehicle and its groups read")
  func permitsSeedReachesTheGroups() throws {
    let seed = try Data(
      contentsOf: FuzzRegressionTests.corpus.appendingPathComponent("hub-documents/permits"))
    let permits = try #require(FuzzHubDocuments.permits(seed.dropFirst()))
    #expect(permits.summary == "permit R=4 permit S=1")
  }

  @Test("the manifest seed passes the hub's ingest validation")
  func manifestSeedIsValid() throws {
    let seed = try Data(contentsOf: FuzzRegressionTests.corpus.appendingPathComponent("hub-ingest/manifest"))
    let manifest = try WireManifest.decode(seed.dropFirst())
    let wire = WireCandidate(id: manifest.id, manifest: seed.dropFirst(), signature: Data(), evidence: [])
    try IngestValidation.check(manifest, wire: wire, now: FuzzHubIngest.now)
  }

  @Test("the replay profile seed is valid; the vehicle one only names files this machine lacks")
  func profileSeedsAreValid() throws {
    func parse(_ name: String) throws -> DeviceProfile {
      let seed = try Data(contentsOf: FuzzRegressionTests.corpus.appendingPathComponent("profile/\(name)"))
      return try DeviceProfile.parse(yaml: String(decoding: seed, as: UTF8.self), file: name, paths: FuzzProfile.paths)
    }
    _ = try parse("replay-default.yaml")
    let error = #expect(throws: FileRefusal.self) { try parse("vehicle-sj-0142.yaml") }
    let problems = error?.problems.map(\.description) ?? []
    #expect(!problems.isEmpty)
    #expect(problems.allSatisfy { $0.contains("/etc/chalkline/") && $0.contains("does not exist") })
  }
}
