// SPDX-License-Identifier: AGPL-3.0-or-later
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
  /// Extra views of each plate, as fractions by which its quadrilateral grows (negative:
  /// shrinks) about its centre; their reads are averaged with the detector's own view.
  /// Each view costs one recognizer run (≈ 3 ms). The default, a tighter and a looser view,
  /// raised top-1 on plates-us-dev from 34 % to 47 % with the interim weights of 36acb77: the
  /// detector's corners are not yet tight. Set `[]` for the lowest CPU per frame.
  public var extraViewMargins: [Double] = [-0.05, 0.15]
  /// Only the strongest this-many detections of a frame get the extra views (they bound the cost).
  public var extraViewPlates = 2
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
      recognizer: PlateRecognizer(network: PlateModels.recognizerNetwork()), logger: logger)
  }

  /// Creates a reader with `detector.*` and `recognizer.*` from `directory` (to try new weights
  /// before they ship).
  public convenience init(modelDirectory directory: URL, logger: Logger) throws(PlateReadingError) {
    try self.init(
      detector: PlateDetector(network: NeuralNetwork(directory: directory, name: "detector")),
      recognizer: PlateRecognizer(network: NeuralNetwork(directory: directory, name: "recognizer")), logger: logger)
  }

  /// Creates a reader from a detector and a recognizer.
  public init(detector: PlateDetector, recognizer: PlateRecognizer, logger: Logger) throws(PlateReadingError) {
    self.detector = detector
    self.recognizer = recognizer
    self.logger = logger
    do {
      jpeg = try JPEGDecoder()
    } catch {
      throw PlateReadingError(.imageUnreadable, "libjpeg-turbo is not usable.", cause: "\(error)")
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
  public func read(_ frame: LumaImage) throws(PlateReadingError) -> [PlateRead] {
    let detections = try detector.detect(frame)
    var reads: [PlateRead] = []
    for (index, d) in detections.enumerated() {
      let crop = try recognizer.rectify(frame, quad: d.quad)
      let result = try recognizer.recognize(crop: crop, alternatives: alternativeCount * 2)
      var results = [result]
      for margin in extraViewMargins where index < extraViewPlates {
        let view = try recognizer.rectify(frame, quad: Self.expanded(d.quad, by: margin))
        results.append(try recognizer.recognize(crop: view, alternatives: alternativeCount * 2))
      }
      let ranked = Self.rank(results)
      guard let best = ranked.first, PlateGrammar.isValid(best.text) else { continue }
      let confidences =
        best.text == result.text
        ? result.characterConfidences : [Double](repeating: best.confidence, count: best.text.count)
      reads.append(
        PlateRead(
          quad: d.quad, detectionScore: d.score, text: best.text, characterConfidences: confidences,
          alternatives: Array(ranked.prefix(alternativeCount)), crop: crop))
    }
    reads.sort { $0.confidence > $1.confidence }
    logger.debug("plates read", metadata: ["plates.detected": "\(detections.count)", "plates.read": "\(reads.count)"])
    return reads
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

  /// The decoder's alternatives reweighted by the grammar's priors and merged by canonical form
  /// (O/0, I/1: their probabilities add up); best first.
  /// With several views of one plate, each view's probabilities count for 1/views.
  static func rank(_ results: [CTCResult]) -> [PlateAlternative] {
    var byCanonical: [String: (alt: PlateAlternative, score: Double)] = [:]
    var order: [String] = []
    let share = 1 / Double(max(1, results.count))
    // No US plate has fewer than 2 or more than 8 characters: such texts are not alternatives.
    for a in results.flatMap(\.alternatives) where PlateGrammar.isValid(a.text) {
      let score = a.confidence * PlateGrammar.prior(a.text) * share
      let key = PlateGrammar.canonical(a.text)
      if let existing = byCanonical[key] {
        byCanonical[key] = (existing.alt, existing.score + score)
      } else {
        byCanonical[key] = (a, score)
        order.append(key)
      }
    }
    return order.compactMap { byCanonical[$0] }
      .sorted { $0.score > $1.score }
      .map { PlateAlternative(text: $0.alt.text, confidence: min(1, $0.score)) }
  }
}
