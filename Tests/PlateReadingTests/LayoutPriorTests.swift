// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing

@testable import PlateReading

@Suite("Plate layout prior")
struct LayoutPriorTests {
  let shipped: LayoutPrior

  init() throws { shipped = try PlateModels.layoutPrior() }

  @Test func shippedTableHasTheCommonLayouts() {
    #expect(shipped.counts.count > 20)
    let unseen = shipped.probability(of: "A1B2C3D4")  // LDLDLDLD: on no plate counted
    for common in ["123ABC", "ABC123", "ABC1234", "7ABC123"] {
      #expect(shipped.probability(of: common) > 5 * unseen, "layout of \(common)")
    }
    // Vanity plates (all letters) are common enough to beat a layout never seen.
    #expect(shipped.probability(of: "GOCUBS") > unseen)
    #expect(unseen > 0)
  }

  @Test(arguments: [("one character", "A"), ("nine characters", "ABCDE1234"), ("not normalized", "ABC 123")])
  func noUSPlateHasNoProbability(name: String, text: String) {
    #expect(shipped.probability(of: text) == 0)
  }

  @Test func theLetterOCountsAsADigit() {
    let prior = LayoutPrior(counts: ["DLLLDDD": 10], smoothing: 0.5)
    #expect(prior.probability(of: "7ABCO23") == prior.probability(of: "7ABC023"))
    #expect(prior.probability(of: "7ABC023") > prior.probability(of: "7ABCX23"))
  }

  @Test func uniformPriorWeighsEveryValidTextAlike() {
    #expect(LayoutPrior.uniform.probability(of: "AB") == LayoutPrior.uniform.probability(of: "1234ABCD"))
  }

  @Test func loadRefusesABrokenTable() throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("layouts-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    #expect(throws: PlateReadingError.self) { try LayoutPrior.load(directory: dir) }
    for (text, code) in [
      ("not json", PlateReadingError.Code.modelInvalid),
      (#"{"counts": {"DLX": 3}, "smoothing": 0.5}"#, .modelInvalid),
      (#"{"counts": {"DDD": -1}, "smoothing": 0.5}"#, .modelInvalid),
      (#"{"counts": {"DDD": 1}, "smoothing": 0}"#, .modelInvalid),
    ] {
      try Data(text.utf8).write(to: dir.appendingPathComponent("layouts.json"))
      do {
        _ = try LayoutPrior.load(directory: dir)
        Issue.record("loaded \(text)")
      } catch {
        #expect(error.code == code)
      }
    }
    try Data(#"{"counts": {"DDDLLL": 4}, "smoothing": 0.5}"#.utf8).write(to: dir.appendingPathComponent("layouts.json"))
    #expect(try LayoutPrior.load(directory: dir).counts == ["DDDLLL": 4])
  }

  // MARK: ranking a plate's alternatives

  let prior = LayoutPrior(counts: ["DDDLLL": 100, "LLLDDD": 100], smoothing: 0.5)

  func result(_ alternatives: [(String, Double)]) -> CTCResult {
    CTCResult(
      text: alternatives[0].0, characterConfidences: [],
      alternatives: alternatives.map { TextAlternative(text: $0.0, confidence: $0.1) })
  }

  @Test func aCommonLayoutWinsBetweenCloseReads() {
    // 123ABC vs 1Z3ABC: the recognizer slightly prefers the rare layout.
    let ranked = PlateReader.rank([result([("1Z3ABC", 0.45), ("123ABC", 0.40)])], prior: prior)
    #expect(ranked.map(\.text) == ["123ABC", "1Z3ABC"])
  }

  @Test func aSureReadOfARareLayoutStaysFirst() {
    let ranked = PlateReader.rank([result([("GOCUBS", 0.97), ("G0CUBS", 0.001), ("123ABC", 0.0001)])], prior: prior)
    #expect(ranked.first?.text == "GOCUBS")
    #expect((ranked.first?.confidence ?? 0) > 0.9)
  }

  @Test func confidencesShareTheRecognizersMass() {
    let ranked = PlateReader.rank(
      [result([("1Z3ABC", 0.45), ("123ABC", 0.40), ("A", 0.1)]), result([("123ABC", 0.6), ("1Z3ABC", 0.2)])],
      prior: prior)
    // Invalid texts drop out; each of the two views counts half: (0.45 + 0.40 + 0.6 + 0.2) / 2.
    let total = ranked.reduce(0) { $0 + $1.confidence }
    #expect(abs(total - 0.825) < 1e-9)
    #expect(ranked.map(\.text) == ["123ABC", "1Z3ABC"])
  }

  @Test func readsDifferingInOAndZeroAddUp() {
    let ranked = PlateReader.rank([result([("ABC12O", 0.3), ("ABC120", 0.3), ("ABC128", 0.35)])], prior: prior)
    #expect(ranked.count == 2)
    #expect(ranked.first.map { PlateCanonicalForm.canonical($0.text) } == "ABC120")
  }

  @Test func nothingValidGivesNoAlternatives() {
    #expect(PlateReader.rank([result([("A", 0.9), ("ABCDEFGHIJ", 0.1)])], prior: prior).isEmpty)
  }
}
