// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Imaging
import Logging

/// Detects, rectifies and reads every plate in a frame.
///
/// One reader per thread (the networks hold per-size buffers). Plate text stays out of logs:
/// only counts and timings are logged.
public final class PlateReader {
  /// The plate detector.
  public let detector: PlateDetector
  /// The plate recognizer.
  public let recognizer: PlateRecognizer
  /// How many alternatives each read keeps.
  public var alternativeCount = 10
  /// Extra views of each plate, as fractions by which its (refined) quadrilateral grows (negative:
  /// shrinks) about its centre; their reads are averaged with the detector's own view.
  /// Each view costs one recognizer run (≈ 2 ms). The default, a tighter and a looser view,
  /// raised top-1 on plates-us-dev from 34 % to 47 % with the interim weights of 36acb77: the
  /// detector's corners are not yet tight. Set `[]` for the lowest CPU per frame.
  public var extraViewMargins: [Double] = [-0.05, 0.15]
  /// Only the this-many plates read most surely in a frame get the extra views (they bound the cost).
  /// One: on plates-us-dev a second plate's views changed no read and cost ~5 ms a frame, and on a
  /// patrol the tracker votes a car's text over the many frames it is seen in.
  public var extraViewPlates = 1
  /// A detection whose best-path characters have a geometric-mean probability below this is not
  /// plate text (a grille, a badge, a sign, a wall): it costs one recognizer run and is dropped
  /// before the beam search and the extra views. 0.3 is half the lowest value measured on the 746
  /// real crops of plates-us-crops at 55, 90 and 320 px wide (0.60, `tools/train/gate.py`).
  public var minimumTextConfidence = 0.3
  /// How often each layout occurs on real plates: reorders a plate's alternatives (see ``rank(_:prior:)``).
  public var layoutPrior: LayoutPrior
  /// What the reader has done since it was created (counts only, no text).
  public private(set) var counts = Counts()
  /// Decode JPEG frames with libjpeg-turbo's fast integer DCT: 5–17 % faster to decode, but off
  /// by default because the training pipeline decodes with the exact DCT and recall measured
  /// a little lower on plates-us-dev with the fast one.
  public var fastDCT = false
  private let jpeg: JPEGDecoder
  private let logger: Logger

  /// Creates a reader with the models shipped in this module.
  public convenience init(logger: Logger) throws(PlateReadingError) {
    try self.init(
      detector: PlateDetector(network: PlateModels.detectorNetwork()),
      recognizer: PlateRecognizer(network: PlateModels.recognizerNetwork()), layoutPrior: PlateModels.layoutPrior(),
      logger: logger)
  }

  /// Creates a reader with `detector.*` and `recognizer.*` from `directory` (to try new weights
  /// before they ship), and its `layouts.json` if it has one (else the shipped one).
  public convenience init(modelDirectory directory: URL, logger: Logger) throws(PlateReadingError) {
    let hasLayouts = FileManager.default.fileExists(atPath: directory.appendingPathComponent("layouts.json").path)
    try self.init(
      detector: PlateDetector(network: NeuralNetwork(directory: directory, name: "detector")),
      recognizer: PlateRecognizer(network: NeuralNetwork(directory: directory, name: "recognizer")),
      layoutPrior: hasLayouts ? LayoutPrior.load(directory: directory) : PlateModels.layoutPrior(), logger: logger)
  }

  /// Creates a reader from a detector, a recognizer and a layout prior.
  public init(
    detector: PlateDetector, recognizer: PlateRecognizer, layoutPrior: LayoutPrior, logger: Logger
  ) throws(PlateReadingError) {
    self.detector = detector
    self.recognizer = recognizer
    self.layoutPrior = layoutPrior
    self.logger = logger
    do {
      jpeg = try JPEGDecoder()
    } catch {
      throw PlateReadingError(.imageUnreadable, "libjpeg-turbo is not usable.", cause: error)
    }
  }

  /// Decodes a JPEG frame to luma (a damaged JPEG is an ``ImagingError`` with code `corruptJPEG`).
  public func decode(jpeg bytes: [UInt8]) throws(ImagingError) -> LumaImage {
    try jpeg.decodeLuma(bytes, fastDCT: fastDCT)
  }

  /// The plates in a JPEG frame, most confident first.
  public func read(jpeg bytes: [UInt8]) throws -> [PlateRead] {
    try read(decode(jpeg: bytes))
  }

  /// The plates in a luma frame, most confident first.
  ///
  /// Two passes: every candidate the detector confirms (``PlateDetector/confirm(_:quad:)``) is read
  /// once, and what does not read as plate text is dropped;
  /// then each plate left is found again at a larger scale (``PlateDetector/refine(_:quad:confirmation:)``: one
  /// small detector run per `detector.refinementPlateWidths`, empty for none) and read once more in
  /// the refined corners, which become its reported corners and evidence crop, merged with the first
  /// read like the extra views; and the `extraViewPlates` plates read most surely are read again in
  /// the extra views. On plates-us-dev, with the shipped weights (seventh detector, ninth recognizer)
  /// and the confirmation, the refinement takes detection recall from 70 to 72 of 73 and top-1 from 62
  /// to 66 (`chalkline bench --only plates [--reader-refinement none]`): the first pass's corners cut
  /// off characters and fail IoU 0.5.
  public func read(_ frame: LumaImage) throws(PlateReadingError) -> [PlateRead] {
    let detections = try detector.detect(frame)
    counts.frames += 1
    counts.detections += detections.count
    var plates: [Candidate] = []
    for d in detections {
      guard let confirmation = try detector.confirm(frame, quad: d.quad, score: d.score) else {
        counts.unconfirmed += 1
        continue
      }
      let crop = try recognizer.rectify(frame, quad: d.quad)
      let probabilities = try recognizer.probabilities(crop: crop)
      counts.recognizerRuns += 1
      let path = recognizer.decoder.bestPath(probabilities)
      let textConfidence = Self.geometricMean(path.characterConfidences)
      guard textConfidence >= minimumTextConfidence else {
        counts.notText += 1
        continue
      }
      let result = recognizer.decoder.decode(probabilities, top: alternativeCount * 2)
      plates.append(
        Candidate(
          detection: d, confirmation: confirmation, crop: crop, result: result,
          posteriors: CTCPosteriors(probabilities, decoder: recognizer.decoder), strength: d.score * textConfidence))
    }
    let surest = Set(plates.indices.sorted { plates[$0].strength > plates[$1].strength }.prefix(extraViewPlates))
    var reads: [PlateRead] = []
    for (index, plate) in plates.enumerated() {
      var results = [plate.result]
      var quad = plate.detection.quad
      var crop = plate.crop
      var ownResult = plate.result
      var posteriors = [plate.posteriors]
      if let refined = try detector.refine(frame, quad: quad, confirmation: plate.confirmation) {
        counts.refinements += 1
        quad = refined
        crop = try recognizer.rectify(frame, quad: refined)
        let probabilities = try recognizer.probabilities(crop: crop)
        ownResult = recognizer.decoder.decode(probabilities, top: alternativeCount * 2)
        results.append(ownResult)
        posteriors.append(CTCPosteriors(probabilities, decoder: recognizer.decoder))
        counts.recognizerRuns += 1
      }
      if surest.contains(index) {
        for margin in extraViewMargins {
          let view = try recognizer.rectify(frame, quad: Self.expanded(quad, by: margin))
          let probabilities = try recognizer.probabilities(crop: view)
          results.append(recognizer.decoder.decode(probabilities, top: alternativeCount * 2))
          posteriors.append(CTCPosteriors(probabilities, decoder: recognizer.decoder))
          counts.recognizerRuns += 1
        }
      }
      let ranked = Self.rank(results, prior: layoutPrior)
      guard let best = ranked.first, PlateGrammar.isValid(best.text) else { continue }
      let confidences =
        [ownResult, plate.result].first { $0.text == best.text }?.characterConfidences
        ?? [Double](repeating: best.confidence, count: best.text.count)
      reads.append(
        PlateRead(
          quad: quad, detectionScore: plate.detection.score, text: best.text,
          characterConfidences: confidences, alternatives: Array(ranked.prefix(alternativeCount)), crop: crop,
          posteriors: posteriors))
    }
    reads.sort { $0.confidence > $1.confidence }
    logger.debug("plates read", metadata: ["plates.detected": "\(detections.count)", "plates.read": "\(reads.count)"])
    return reads
  }

  /// A confirmed candidate that reads as plate text, after the first pass.
  private struct Candidate {
    var detection: PlateDetection
    var confirmation: PlateConfirmation
    var crop: LumaImage
    var result: CTCResult
    var posteriors: CTCPosteriors
    /// The detector's score × the text confidence: which plates get the extra views.
    var strength: Double
  }

  /// The geometric mean of probabilities (0 for none).
  static func geometricMean(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    return exp(values.reduce(0) { $0 + log(max($1, 1e-12)) } / Double(values.count))
  }

  /// `q` grown by `margin` of its size about its centre.
  static func expanded(_ q: Quad, by margin: Double) -> Quad {
    let c = q.center
    func grow(_ p: Point2D) -> Point2D {
      Point2D(x: c.x + (p.x - c.x) * (1 + margin), y: c.y + (p.y - c.y) * (1 + margin))
    }
    return Quad(
      topLeft: grow(q.topLeft), topRight: grow(q.topRight), bottomRight: grow(q.bottomRight),
      bottomLeft: grow(q.bottomLeft))
  }

  /// A plate's alternatives from all its views, best first: merged by canonical form (O/0, I/1:
  /// their probabilities add up; with several views each view's probabilities count for
  /// 1/views), then weighed by how often their layout occurs on real plates.
  ///
  /// The confidences stay probabilities of the text being right: the recognizer's probability mass
  /// on the valid alternatives is shared out among them in proportion to probability × prior
  /// (Bayes' rule within the alternatives), so a sure read stays sure and the prior decides
  /// between close ones.
  static func rank(_ results: [CTCResult], prior: LayoutPrior) -> [TextAlternative] {
    var byCanonical: [String: (text: String, probability: Double, weight: Double)] = [:]
    var order: [String] = []
    let share = 1 / Double(max(1, results.count))
    // No US plate has fewer than 2 or more than 8 characters: such texts are not alternatives.
    for a in results.flatMap(\.alternatives) where PlateGrammar.isValid(a.text) {
      let p = a.confidence * share
      let key = PlateCanonicalForm.canonical(a.text)
      if let existing = byCanonical[key] {
        byCanonical[key] = (
          existing.text, existing.probability + p, existing.weight + p * prior.probability(of: a.text)
        )
      } else {
        byCanonical[key] = (a.text, p, p * prior.probability(of: a.text))
        order.append(key)
      }
    }
    let entries = order.compactMap { byCanonical[$0] }
    let mass = entries.reduce(0) { $0 + $1.probability }
    let weights = entries.reduce(0) { $0 + $1.weight }
    guard weights > 0 else { return [] }
    return entries.sorted { $0.weight > $1.weight }
      .map { TextAlternative(text: $0.text, confidence: min(1, $0.weight / weights * mass)) }
  }

  /// Counts of a reader's work (no plate text).
  public struct Counts: Sendable, Equatable {
    /// Frames read.
    public var frames = 0
    /// Candidates the detector's first pass returned.
    public var detections = 0
    /// Candidates the detector did not find again at a larger scale (see ``PlateDetector/confirm(_:quad:)``).
    public var unconfirmed = 0
    /// Confirmed candidates dropped because they did not read as plate text (see `minimumTextConfidence`).
    public var notText = 0
    /// Recognizer runs (one per confirmed candidate, one per refined plate, plus the extra views).
    public var recognizerRuns = 0
    /// Plates found again by the refinement pass (see ``PlateDetector/refine(_:quad:confirmation:)``).
    public var refinements = 0
  }
}
