// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Imaging

extension PlateTracker {
  /// How a car's frames become its texts.
  public enum Fusion: String, Sendable, CaseIterable {
    /// Every candidate text (any frame's alternative) is scored in every frame by the recognizer's
    /// column probabilities (the CTC forward probability, averaged over the frame's views), the
    /// frames' log-probabilities add up with the layout prior's (once, or in each frame as the
    /// reader ranks a frame: ``Configuration/layoutPriorEachFrame``), and the result is
    /// normalized over the candidates: a character that only some frames read right still wins
    /// when the other frames give the right text a fair probability.
    case posteriors
    /// The former tracker: each frame's finished alternatives vote with confidence × detection
    /// score, and a text's confidence is its share of the votes.
    case votes
  }

  /// What one frame's read of a car keeps for the fusion (no crop: the evidence is kept apart).
  struct FrameEvidence: Sendable {
    var posteriors: [CTCPosteriors]
    var alternatives: [TextAlternative]
    var strength: Double

    init(_ read: PlateRead) {
      posteriors = read.posteriors
      alternatives = read.alternatives
      strength = read.confidence
    }
  }

  /// A read's probability is never taken below this in the fusion, so that one frame that read
  /// something else entirely (a misassociated plate, a half-visible one) cannot veto a text alone.
  static let fusionFloor = 1e-6

  /// The texts of a car from the reads of its frames, best first, with probabilities that sum to
  /// at most 1 (see ``Fusion/posteriors``). Reads without posteriors count by their alternatives'
  /// confidences (`fusionFloor` for a text they do not list), and then no prior is applied again.
  public static func fuse(
    _ reads: [PlateRead], prior: LayoutPrior?, count: Int, temperature: Double = 1
  ) -> [TextAlternative] {
    fuse(reads.map(FrameEvidence.init), prior: prior, count: count, temperature: temperature)
  }

  /// `also`: more candidate texts (those of frames no longer kept, for a car long in view).
  static func fuse(
    _ reads: [FrameEvidence], also: [String] = [], prior: LayoutPrior?, priorWeight: Double = 1, count: Int,
    temperature: Double
  ) -> [TextAlternative] {
    var texts: [String] = []
    var known: Set<String> = []
    for text in reads.flatMap({ $0.alternatives.map(\.text) }) + also
    where PlateGrammar.isValid(text) && known.insert(text).inserted {
      texts.append(text)
    }
    guard !texts.isEmpty else { return [] }
    let usesPosteriors = reads.contains { !$0.posteriors.isEmpty }
    var scores = [Double](repeating: 0, count: texts.count)
    for read in reads {
      let listed = Dictionary(read.alternatives.map { ($0.text, $0.confidence) }, uniquingKeysWith: +)
      for (i, text) in texts.enumerated() {
        let p: Double
        if read.posteriors.isEmpty {
          p = listed[text] ?? 0
        } else {
          p = read.posteriors.reduce(0) { $0 + exp($1.logProbability(of: text)) } / Double(read.posteriors.count)
        }
        scores[i] += temperature * log(max(p, fusionFloor))
      }
    }
    if usesPosteriors, let prior {
      for (i, text) in texts.enumerated() { scores[i] += priorWeight * log(max(prior.probability(of: text), 1e-12)) }
    }
    // Normalized over the candidates, then merged by canonical form (O/0, I/1) under the best variant.
    let top = scores.max() ?? 0
    let weights = scores.map { exp($0 - top) }
    let total = weights.reduce(0, +)
    var merged: [String: (text: String, probability: Double, score: Double)] = [:]
    for (i, text) in texts.enumerated() {
      let key = PlateCanonicalForm.canonical(text)
      let p = weights[i] / total
      if let m = merged[key] {
        merged[key] = scores[i] > m.score ? (text, m.probability + p, scores[i]) : (m.text, m.probability + p, m.score)
      } else {
        merged[key] = (text, p, scores[i])
      }
    }
    return merged.values.sorted { ($0.probability, $1.text) > ($1.probability, $0.text) }.prefix(count)
      .map { TextAlternative(text: $0.text, confidence: min(1, $0.probability)) }
  }

  /// How sharp a crop is, independent of its brightness and contrast: the mean absolute Laplacian
  /// over the standard deviation of the pixels (a blurred or smeared crop has little of the first
  /// for its contrast). 1 for a crop too small to measure.
  public static func sharpness(of crop: LumaImage) -> Double {
    let w = crop.width
    let h = crop.height
    guard w >= 3, h >= 3 else { return 1 }
    var sum = 0.0
    var sumSquares = 0.0
    var laplacian = 0.0
    crop.pixels.withUnsafeBufferPointer { p in
      for v in p {
        sum += Double(v)
        sumSquares += Double(v) * Double(v)
      }
      for y in 1..<(h - 1) {
        for x in 1..<(w - 1) {
          let i = y * w + x
          let l = 4 * Int(p[i]) - Int(p[i - 1]) - Int(p[i + 1]) - Int(p[i - w]) - Int(p[i + w])
          laplacian += Double(abs(l))
        }
      }
    }
    let n = Double(w * h)
    let deviation = max(0, sumSquares / n - (sum / n) * (sum / n)).squareRoot()
    return laplacian / Double((w - 2) * (h - 2)) / (deviation + 1)
  }
}
