// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
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
    let url = try #require(TestPaths.sharedFile("data/plates-us-dev/us1.jpg"))
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
    let url = try #require(TestPaths.sharedFile("data/plates-us-dev/us1.jpg"))
    let bytes = [UInt8](try Data(contentsOf: url))
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    // Nothing passes a gate above certainty: every confirmed candidate costs one run, none is read.
    let strict = try PlateReader(logger: logger)
    strict.minimumTextConfidence = 1.01
    #expect(try strict.read(jpeg: bytes).isEmpty)
    #expect(strict.counts.frames == 1)
    #expect(strict.counts.detections > strict.counts.unconfirmed)
    #expect(strict.counts.notText + strict.counts.unconfirmed == strict.counts.detections)
    #expect(strict.counts.recognizerRuns == strict.counts.detections - strict.counts.unconfirmed)
    // The shipped gate: the plate is read, the surest plates get the extra views, the rest do not.
    let reader = try PlateReader(logger: logger)
    let reads = try reader.read(jpeg: bytes)
    #expect(!reads.isEmpty)
    let confirmed = reader.counts.detections - reader.counts.unconfirmed
    let passed = confirmed - reader.counts.notText
    #expect(passed >= reads.count)
    let viewed = min(passed, reader.extraViewPlates)
    // Every plate that reads as text is found again (refined) and read once more in its new corners.
    #expect(reader.counts.refinements > 0 && reader.counts.refinements <= passed)
    #expect(
      reader.counts.recognizerRuns == confirmed + reader.counts.refinements + viewed * reader.extraViewMargins.count)
  }

  @Test func withoutRefinementEachPlateIsReadOnceAndInItsViews() throws {
    let url = try #require(TestPaths.sharedFile("data/plates-us-dev/us1.jpg"))
    let reader = try PlateReader(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    reader.detector.refinementPlateWidths = []
    let reads = try reader.read(jpeg: [UInt8](try Data(contentsOf: url)))
    #expect(!reads.isEmpty)
    let confirmed = reader.counts.detections - reader.counts.unconfirmed
    let passed = confirmed - reader.counts.notText
    #expect(reader.counts.refinements == 0)
    #expect(
      reader.counts.recognizerRuns == confirmed + min(passed, reader.extraViewPlates) * reader.extraViewMargins.count)
  }
}

@Suite("Plate detector refinement")
struct PlateRefinementTests {
  let detector = try! PlateDetector(network: PlateModels.detectorNetwork())

  /// A real photo and its truth corners from plates-us-dev's groundtruth.tsv.
  func photo(_ name: String) throws -> (LumaImage, Quad) {
    let dir = try #require(TestPaths.sharedFile("data/plates-us-dev"))
    let truth = try String(contentsOf: dir.appendingPathComponent("groundtruth.tsv"), encoding: .utf8)
    let line = try #require(truth.split(separator: "\n").first { $0.hasPrefix(name + "\t") })
    let v = line.split(separator: "\t")[2].split(separator: ",").compactMap { Double($0) }
    try #require(v.count == 8)
    let quad = Quad(
      topLeft: Point2D(x: v[0], y: v[1]), topRight: Point2D(x: v[2], y: v[3]),
      bottomRight: Point2D(x: v[4], y: v[5]), bottomLeft: Point2D(x: v[6], y: v[7]))
    let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent(name)))
    return (try JPEGDecoder().decodeLuma(bytes), quad)
  }

  func moved(_ q: Quad, dx: Double, dy: Double, grow: Double) -> Quad {
    let c = q.center
    func f(_ p: Point2D) -> Point2D {
      Point2D(x: c.x + (p.x - c.x) * (1 + grow) + dx, y: c.y + (p.y - c.y) * (1 + grow) + dy)
    }
    return Quad(
      topLeft: f(q.topLeft), topRight: f(q.topRight), bottomRight: f(q.bottomRight), bottomLeft: f(q.bottomLeft))
  }

  @Test(arguments: [(0.14, 0.0, 0.0), (-0.12, 0.1, 0.3), (0.0, 0.0, -0.15), (0.1, -0.1, 0.25)])
  func cornersOffTheirPlateComeBackToIt(shift: Double, lift: Double, grow: Double) throws {
    let (frame, truth) = try photo("us6.jpg")
    let b = truth.bounds
    let off = moved(truth, dx: shift * (b.maxX - b.minX), dy: lift * (b.maxY - b.minY), grow: grow)
    let refined = try #require(try detector.refine(frame, quad: off))
    let before = PlateDetector.iou(off.bounds, truth.bounds)
    let after = PlateDetector.iou(refined.bounds, truth.bounds)
    #expect(after >= 0.75, "IoU \(before) -> \(after)")
    #expect(after > before)
  }

  @Test func noPlateNoRefinement() throws {
    let blank = try LumaImage(width: 1280, height: 720, pixels: [UInt8](repeating: 128, count: 1280 * 720))
    #expect(try detector.refine(blank, quad: Quad(x: 600, y: 340, width: 100, height: 50)) == nil)
  }

  @Test func platesAtOrPastTheFrameEdgeAreSafe() throws {
    let (frame, truth) = try photo("us6.jpg")
    let b = truth.bounds
    // Patches that leave the frame on every side, a degenerate quad, and one wholly outside.
    for (dx, dy) in [(-b.minX - 20, 0.0), (Double(frame.width) - b.maxX + 20, 0), (0, -b.minY - 10), (0, 400)] {
      let q = moved(truth, dx: dx, dy: dy, grow: 0)
      if let r = try detector.refine(frame, quad: q) {
        for p in r.corners { #expect(p.x.isFinite && p.y.isFinite) }
      }
    }
    let point = Quad(
      topLeft: Point2D(x: 5, y: 5), topRight: Point2D(x: 5, y: 5),
      bottomRight: Point2D(x: 5, y: 5), bottomLeft: Point2D(x: 5, y: 5))
    #expect(try detector.refine(frame, quad: point) == nil)
    #expect(try detector.refine(frame, quad: moved(truth, dx: 5000, dy: 5000, grow: 0)) == nil)
  }

  @Test func refiningBetweenFramesLeavesDetectionUnchanged() throws {
    // The network keeps buffers per input size; alternating the frame and the patch must not mix them.
    let (frame, truth) = try photo("us6.jpg")
    let first = try detector.detect(frame)
    let refined = try detector.refine(frame, quad: truth)
    let again = try detector.detect(frame)
    #expect(first == again)
    #expect(try detector.refine(frame, quad: truth) == refined)
  }
}

@Suite("Plate detector confirmation")
struct PlateConfirmationTests {
  let detector = try! PlateDetector(network: PlateModels.detectorNetwork())

  /// A 1×6×8 heat map with one peak and no regression (a plate centred in cell (2, 3)).
  func outputs(peak: Float) -> (Tensor, Tensor) {
    var heat = Tensor(channels: 1, height: 6, width: 8)
    heat[0, 2, 3] = peak
    return (heat, Tensor(channels: 10, height: 6, width: 8))
  }

  @Test func weakPeaksAreCandidatesOnlyWhenConfirmed() {
    // 0.35: under the model's own threshold (0.45), over the candidate threshold (0.3).
    let (heat, reg) = outputs(peak: 0.35)
    #expect(detector.scoreThreshold > 0.35 && detector.candidateThreshold < 0.35)
    #expect(detector.decode(heatmap: heat, regression: reg, scale: 1).count == 1)
    detector.confirmationPlateWidth = nil
    #expect(detector.firstPassThreshold == detector.scoreThreshold)
    #expect(detector.decode(heatmap: heat, regression: reg, scale: 1).isEmpty)
  }

  @Test func aPlateIsConfirmedAndABlankWallIsNot() throws {
    let (frame, truth) = try PlateRefinementTests().photo("us6.jpg")
    let confirmed = try #require(try detector.confirm(frame, quad: truth))
    #expect(confirmed.score >= detector.confirmationMinimumScore)
    #expect(confirmed.plateWidth == detector.confirmationPlateWidth)
    #expect(PlateDetector.iou(confirmed.quad.bounds, truth.bounds) >= 0.5)
    let blank = try LumaImage(width: 1280, height: 720, pixels: [UInt8](repeating: 128, count: 1280 * 720))
    let wall = Quad(x: 600, y: 340, width: 100, height: 50)
    #expect(try detector.confirm(blank, quad: wall) == nil)
    // Without a confirmation width every candidate stands as found.
    detector.confirmationPlateWidth = nil
    #expect(try detector.confirm(blank, quad: wall)?.quad == wall)
  }

  @Test func theRefinementReusesTheConfirmationsView() throws {
    let (frame, truth) = try PlateRefinementTests().photo("us6.jpg")
    let confirmed = try #require(try detector.confirm(frame, quad: truth))
    #expect(detector.refinementPlateWidths.contains(confirmed.plateWidth))
    // The same view: the same corners as a refinement that runs it again.
    #expect(try detector.refine(frame, quad: truth, confirmation: confirmed) == detector.refine(frame, quad: truth))
    // A view the detector would not have found shows through: it is used, not run again.
    var shifted = confirmed
    shifted.quad = Quad(x: 0, y: 0, width: 30, height: 15)
    let mixed = try #require(try detector.refine(frame, quad: truth, confirmation: shifted))
    #expect(try mixed != detector.refine(frame, quad: truth))
  }

  @Test func theReaderCountsTheCandidatesItDrops() throws {
    let url = try #require(TestPaths.sharedFile("data/plates-us-dev/us1.jpg"))
    let bytes = [UInt8](try Data(contentsOf: url))
    let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    let reader = try PlateReader(logger: logger)
    let reads = try reader.read(jpeg: bytes)
    let c = reader.counts
    #expect(c.detections >= c.unconfirmed + c.notText + reads.count)
    #expect(c.recognizerRuns >= c.detections - c.unconfirmed)
    let unconfirmedReader = try PlateReader(logger: logger)
    unconfirmedReader.detector.confirmationPlateWidth = nil
    _ = try unconfirmedReader.read(jpeg: bytes)
    #expect(unconfirmedReader.counts.unconfirmed == 0)
  }
}
