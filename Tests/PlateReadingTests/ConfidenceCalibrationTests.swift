// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Imaging
import PlateReading
import Testing

/// The logistic calibration of a sighting's confidence and where the tracker applies it.
@Suite("Confidence calibration")
struct ConfidenceCalibrationTests {
  static let overconfident = ConfidenceCalibration(slope: 0.5, intercept: -0.5)

  @Test("the identity map keeps a probability; a slope under 1 draws sure ones towards even odds")
  func mapsTheLogOdds() {
    let identity = ConfidenceCalibration(slope: 1, intercept: 0)
    for p in [0.01, 0.3, 0.5, 0.9, 0.999] { #expect(abs(identity(p) - p) < 1e-9) }
    // logit(0.99) = 4.595; 0.5 × 4.595 − 0.5 = 1.798 → 0.858.
    #expect(abs(Self.overconfident(0.99) - 0.8579) < 1e-3)
    #expect(Self.overconfident(0.99) < 0.99)
    // Certainty is not kept: a probability of 1 maps below 1, 0 above 0.
    #expect(Self.overconfident(1) < 1)
    #expect(Self.overconfident(0) > 0)
  }

  @Test("monotone: a surer fused read stays surer after the calibration")
  func isMonotone() {
    let ps = stride(from: 0.0, through: 1.0, by: 0.01).map { Self.overconfident($0) }
    #expect(zip(ps, ps.dropFirst()).allSatisfy { $0 <= $1 })
  }

  @Test("alternatives keep their order and sum to at most 1; the others share what the best gave up")
  func rescalesTheAlternatives() {
    let fused = [
      TextAlternative(text: "7ABC123", confidence: 0.9), TextAlternative(text: "7A8C123", confidence: 0.06),
      TextAlternative(text: "7ABC128", confidence: 0.04),
    ]
    let calibrated = Self.overconfident.apply(fused)
    #expect(calibrated.map(\.text) == fused.map(\.text))
    #expect(abs(calibrated[0].confidence - Self.overconfident(0.9)) < 1e-12)
    #expect(calibrated.map(\.confidence).reduce(0, +) <= 1 + 1e-12)
    #expect(zip(calibrated, calibrated.dropFirst()).allSatisfy { $0.confidence >= $1.confidence })
    // The others keep their 3:2 proportion.
    #expect(abs(calibrated[1].confidence / calibrated[2].confidence - 1.5) < 1e-9)
    #expect(Self.overconfident.apply([]).isEmpty)
  }

  @Test("the tracker gives its sightings the calibrated confidence, per frame fused")
  func trackerApplies() throws {
    func sighting(_ calibration: ConfidenceCalibration?) -> TrackedPlate? {
      var configuration = PlateTracker.Configuration()
      configuration.fusion = .votes
      configuration.calibration = calibration
      let tracker = PlateTracker(configuration: configuration)
      let t0 = Date(timeIntervalSince1970: 1_780_000_000)
      for i in 0..<3 {
        let quad = Quad(x: 400 + Double(i) * 4, y: 300, width: 120, height: 60)
        let read = PlateRead(
          quad: quad, detectionScore: 0.9, text: "7ABC123", characterConfidences: [Double](repeating: 0.95, count: 7),
          alternatives: [.init(text: "7ABC123", confidence: 0.95), .init(text: "7A8C123", confidence: 0.05)],
          crop: LumaImage(width: 96, height: 32, fill: 128))
        _ = tracker.update(time: t0.addingTimeInterval(Double(i) * 0.1), reads: [read])
      }
      return tracker.finish().first
    }
    let plain = try #require(sighting(nil))
    let calibrated = try #require(sighting(Self.overconfident))
    #expect(calibrated.text == plain.text)
    // The map takes the log-odds per frame: the car was read in 3, and its texts fused from 3.
    #expect(calibrated.readCount == 3 && calibrated.fusedFrames == 3)
    #expect(abs(calibrated.confidence - Self.overconfident(plain.confidence, frames: 3)) < 1e-12)
    #expect(abs(calibrated.confidence - Self.overconfident(plain.confidence)) > 1e-3)
  }
}
