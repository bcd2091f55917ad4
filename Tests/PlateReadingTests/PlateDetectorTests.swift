// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Imaging
import Logging
import PlateReading
import Testing

@Suite("Plate detector decoding")
struct PlateDetectorTests {
  let detector = try! PlateDetector(network: PlateModels.detectorNetwork())

  /// A 1×6×8 heat map and 10×6×8 regression with a plate at cell (2, 3).
  func outputs(peak: Float = 0.9) -> (Tensor, Tensor) {
    var heat = Tensor(channels: 1, height: 6, width: 8)
    heat[0, 2, 3] = peak
    heat[0, 2, 4] = peak * 0.8  // a shoulder, not a second plate
    heat[0, 5, 7] = 0.1  // below the threshold
    var reg = Tensor(channels: 10, height: 6, width: 8)
    reg[0, 2, 3] = 0.5
    reg[1, 2, 3] = 0.25
    // Corners ±2 × ±0.5 cells around the centre.
    let corners: [(Float, Float)] = [(-2, -0.5), (2, -0.5), (2, 0.5), (-2, 0.5)]
    for (k, c) in corners.enumerated() {
      reg[2 + 2 * k, 2, 3] = c.0
      reg[3 + 2 * k, 2, 3] = c.1
    }
    return (heat, reg)
  }

  @Test func aPeakBecomesOnePlateInFramePixels() {
    let (heat, reg) = outputs()
    // Detector input is half the frame size: scale 0.5; stride 8.
    let found = detector.decode(heatmap: heat, regression: reg, scale: 0.5)
    #expect(found.count == 1)
    let p = found[0]
    #expect(abs(p.score - 0.9) < 1e-6)
    // Centre (3.5, 2.25) cells → (28, 18) input px → (56, 36) frame px.
    #expect(abs(p.quad.center.x - 56) < 1e-6 && abs(p.quad.center.y - 36) < 1e-6)
    #expect(abs(p.quad.topLeft.x - (56 - 32)) < 1e-6 && abs(p.quad.bottomRight.y - (36 + 8)) < 1e-6)
  }

  @Test func nothingBelowTheThreshold() {
    let (heat, reg) = outputs(peak: 0.2)
    #expect(detector.decode(heatmap: heat, regression: reg, scale: 1).isEmpty)
  }

  @Test func intersectionOverUnion() {
    #expect(PlateDetector.iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1)
    #expect(PlateDetector.iou((0, 0, 10, 10), (5, 0, 15, 10)) == 50.0 / 150.0)
    #expect(PlateDetector.iou((0, 0, 1, 1), (2, 2, 3, 3)) == 0)
  }

  @Test func readerRunsOnARealPhotoAndRanksItsPlates() throws {
    let url = try #require(SharedData.file("data/plates-us-dev/us1.jpg"))
    let reader = try PlateReader(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    let reads = try reader.read(jpeg: [UInt8](try Data(contentsOf: url)))
    #expect(reads.map(\.confidence) == reads.map(\.confidence).sorted(by: >))
    for r in reads {
      #expect(PlateGrammar.isValid(r.text))
      #expect(r.alternatives.first?.text == r.text)
      #expect(r.alternatives.count <= 10)
      #expect(r.crop.width == reader.recognizer.cropWidth && r.crop.height == reader.recognizer.cropHeight)
    }
    #expect(throws: ImagingError.self) { _ = try reader.read(jpeg: [0xFF, 0xD8, 0xFF]) }
  }

  @Test func detectionsThatDoNotReadAsTextGetNoExtraViews() throws {
    let url = try #require(SharedData.file("data/plates-us-dev/us1.jpg"))
    let bytes = [UInt8](try Data(contentsOf: url))
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    // Nothing passes a gate above certainty: every detection costs one run, none is read.
    let strict = try PlateReader(logger: logger)
    strict.minimumTextConfidence = 1.01
    #expect(try strict.read(jpeg: bytes).isEmpty)
    #expect(strict.counts.frames == 1)
    #expect(strict.counts.detections > 0)
    #expect(strict.counts.notText == strict.counts.detections)
    #expect(strict.counts.recognizerRuns == strict.counts.detections)
    // The shipped gate: the plate is read, the surest plates get the extra views, the rest do not.
    let reader = try PlateReader(logger: logger)
    let reads = try reader.read(jpeg: bytes)
    #expect(!reads.isEmpty)
    let passed = reader.counts.detections - reader.counts.notText
    #expect(passed >= reads.count)
    let viewed = min(passed, reader.extraViewPlates)
    #expect(reader.counts.recognizerRuns == reader.counts.detections + viewed * reader.extraViewMargins.count)
  }
}
