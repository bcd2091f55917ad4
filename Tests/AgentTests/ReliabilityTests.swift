// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import PlateReading
import Testing

@testable import ChalklineBench

/// The reliability table of `chalkline bench` and the calibration it fits.
@Suite("Reliability table")
struct ReliabilityTests {
  @Test("each read falls in its bin; a bin's share right and mean confidence are its reads'")
  func bins() {
    var r = Reliability()
    r.add(confidence: 0.995, right: true)
    r.add(confidence: 1.0, right: false)
    r.add(confidence: 0.55, right: true)
    r.add(confidence: 0.2, right: false)
    let bins = r.bins
    #expect(bins.count == Reliability.edges.count - 1)
    let top = bins.last!
    #expect(top.count == 2 && top.right == 1)
    #expect(abs(top.meanConfidence - 0.9975) < 1e-12)
    #expect(bins.first { $0.lower == 0.5 }?.count == 1)
    #expect(bins.first { $0.lower == 0 }?.count == 1)
    #expect(bins.map(\.count).reduce(0, +) == 4)
    // |0.5 − 0.9975| × 2 + |1 − 0.55| + |0 − 0.2|, over 4.
    #expect(abs(r.expectedCalibrationError - (0.4975 * 2 + 0.45 + 0.2) / 4) < 1e-12)
    #expect(abs(r.brier - (0.005 * 0.005 + 1 + 0.45 * 0.45 + 0.04) / 4) < 1e-12)
    let figures = r.figures(prefix: "x")
    #expect(figures.contains { $0.metric == "x_reliability_099_100_count" && $0.value == 2 })
    #expect(figures.contains { $0.metric == "x_calibration_error" })
  }

  @Test("the fit recovers the map that made the outcomes")
  func fitRecoversTheMap() throws {
    // Reads whose fused log-odds spread evenly over −4…8, right with the probability a known map gives:
    // the expected outcomes, as fractions of 1000 reads per value, without randomness.
    let truth = ConfidenceCalibration(slope: 0.6, intercept: -0.4)
    var r = Reliability()
    for step in 0...48 {
      let z = -4 + Double(step) * 0.25
      let p = 1 / (1 + exp(-z))
      let rightCount = Int((truth(p) * 1000).rounded())
      for i in 0..<1000 { r.add(confidence: p, right: i < rightCount) }
    }
    let fit = try #require(r.fittedCalibration(ridge: 0))
    #expect(abs(fit.slope - 0.6) < 0.01)
    #expect(abs(fit.intercept + 0.4) < 0.01)
    // Calibrated, the same reads are reliable: the error falls.
    let calibrated = Reliability(r.samples.map { .init(confidence: fit($0.confidence), right: $0.right) })
    #expect(calibrated.expectedCalibrationError < r.expectedCalibrationError)
    #expect(calibrated.expectedCalibrationError < 0.02)
  }

  @Test("no fit without both right and wrong reads")
  func noFitWithoutBoth() {
    #expect(Reliability([.init(confidence: 0.9, right: true)]).fittedCalibration() == nil)
    #expect(Reliability().fittedCalibration() == nil)
  }
}
