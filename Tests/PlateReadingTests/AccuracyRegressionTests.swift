// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineBench
import Foundation
import Logging
import PlateReading
import Testing

/// Accuracy of the shipped models on shared/data/plates-us-dev (73 real photos), which must
/// not fall more than one photo below the figures measured when the weights were committed.
/// Update the two figures together with the weights (`chalkline bench --only plates` prints them).
@Suite("Accuracy regression on plates-us-dev")
struct AccuracyRegressionTests {
  /// top1_any (O/0 folded) measured with the shipped weights (2026-11-29: the seventh run's detector
  /// and the ninth run's recognizer), the detector's confirmation of its candidates, the layout prior
  /// and the refinement pass, in percent.
  static let measuredTop1 = 90.4
  /// Detection recall (IoU >= 0.5) measured with the same weights, in percent.
  static let measuredRecall = 98.6
  /// One photo of the 73, in percent: the slack (the figures above are rounded to 0.1).
  static let onePhoto = 100.0 / 73

  @Test func accuracyHolds() throws {
    let dataset = try #require(SharedData.file("data/plates-us-dev"), "shared/data/plates-us-dev not found")
    let reader = try PlateReader(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    let a = try PlateReadingBenchmark.evaluate(dataset: dataset, reader: reader)
    #expect(a.images == 73)
    #expect(a.top1Any >= Self.measuredTop1 - Self.onePhoto, "top1_any \(a.top1Any) %; misses: \(a.misses)")
    #expect(a.detectionRecall >= Self.measuredRecall - Self.onePhoto, "detection recall \(a.detectionRecall) %")
  }
}
