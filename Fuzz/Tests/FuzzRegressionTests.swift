// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineFuzz
import Foundation
import Testing

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
