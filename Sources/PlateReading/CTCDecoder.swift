// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// One text a recognizer may have seen, with its probability.
public struct TextAlternative: Sendable, Equatable {
  /// The text (A–Z, 0–9).
  public var text: String
  /// Its confidence in [0, 1].
  public var confidence: Double
  /// Creates an alternative.
  public init(text: String, confidence: Double) {
    self.text = text
    self.confidence = confidence
  }
}

/// The decoded output of a CTC recognizer.
public struct CTCResult: Sendable, Equatable {
  /// The best path's text.
  public var text: String
  /// The probability of each character of `text` (the peak of its frames on the best path).
  public var characterConfidences: [Double]
  /// The most probable texts, best first (prefix beam search; the first is usually `text`).
  public var alternatives: [TextAlternative]
}

/// Decodes per-frame class scores of a CTC model into text, per-character confidences and
/// the N most probable texts.
public struct CTCDecoder: Sendable {
  /// The class characters, index 0 usually the blank.
  public let charset: [Character]
  /// The index of the blank class.
  public let blank: Int
  /// How many prefixes the beam search keeps.
  public var beamWidth: Int
  /// Classes below this probability at a frame are not expanded (speed; they cannot win).
  public var pruneBelow: Double

  /// At most this many classes are expanded per frame.
  public var maxClassesPerFrame = 6

  /// Creates a decoder.
  public init(charset: String, blank: Int = 0, beamWidth: Int = 16, pruneBelow: Double = 1e-3) {
    self.charset = Array(charset)
    self.blank = blank
    self.beamWidth = beamWidth
    self.pruneBelow = pruneBelow
  }

  /// Softmax over classes of a `classes × 1 × T` logits tensor: `[T][classes]` probabilities.
  public func probabilities(logits: Tensor) -> [[Double]] {
    let c = logits.channels
    let t = logits.height * logits.width
    var out = [[Double]](repeating: [Double](repeating: 0, count: c), count: t)
    for f in 0..<t {
      var m = -Double.infinity
      for k in 0..<c { m = max(m, Double(logits.values[k * t + f])) }
      var sum = 0.0
      for k in 0..<c {
        let e = exp(Double(logits.values[k * t + f]) - m)
        out[f][k] = e
        sum += e
      }
      for k in 0..<c { out[f][k] /= sum }
    }
    return out
  }

  /// Decodes `[T][classes]` probabilities; returns at most `top` alternatives.
  public func decode(_ probs: [[Double]], top: Int = 10) -> CTCResult {
    let path = bestPath(probs)
    return CTCResult(
      text: path.text, characterConfidences: path.characterConfidences, alternatives: beamSearch(probs, top: top))
  }

  /// The best path alone (arg-max per frame, repeats merged, blanks dropped) with the
  /// probability of each character: cheap, no search.
  public func bestPath(_ probs: [[Double]]) -> (text: String, characterConfidences: [Double]) {
    var text = ""
    var confidences: [Double] = []
    var previous = blank
    for frame in probs {
      var best = 0
      for k in 1..<frame.count where frame[k] > frame[best] { best = k }
      if best != blank && best < charset.count {
        if best != previous {
          text.append(charset[best])
          confidences.append(frame[best])
        } else {
          confidences[confidences.count - 1] = max(confidences[confidences.count - 1], frame[best])
        }
      }
      previous = best
    }
    return (text, confidences)
  }

  /// CTC prefix beam search in probability space (T is small: 32 frames).
  private func beamSearch(_ probs: [[Double]], top: Int) -> [TextAlternative] {
    struct Beam {
      var blankEnding: Double
      var nonBlankEnding: Double
      var total: Double { blankEnding + nonBlankEnding }
    }
    var beams: [[Int]: Beam] = [[]: Beam(blankEnding: 1, nonBlankEnding: 0)]
    for frame in probs {
      var next: [[Int]: Beam] = [:]
      next.reserveCapacity(beams.count * 4)
      // Only the few likeliest classes of a frame can start a surviving prefix.
      let candidates = (0..<frame.count).filter { $0 != blank && frame[$0] >= pruneBelow }
        .sorted { frame[$0] > frame[$1] }.prefix(maxClassesPerFrame)
      for (prefix, beam) in beams {
        // Stay on the same prefix through a blank, or by repeating its last character.
        var same = next[prefix] ?? Beam(blankEnding: 0, nonBlankEnding: 0)
        same.blankEnding += beam.total * frame[blank]
        if let last = prefix.last { same.nonBlankEnding += beam.nonBlankEnding * frame[last] }
        next[prefix] = same
        for k in candidates {
          var extended = prefix
          extended.append(k)
          var b = next[extended] ?? Beam(blankEnding: 0, nonBlankEnding: 0)
          // A repeated character needs a blank between the two.
          b.nonBlankEnding += (prefix.last == k ? beam.blankEnding : beam.total) * frame[k]
          next[extended] = b
        }
      }
      beams = Dictionary(
        uniqueKeysWithValues: next.sorted { $0.value.total > $1.value.total }.prefix(beamWidth).map {
          ($0.key, $0.value)
        })
    }
    return beams.sorted { $0.value.total > $1.value.total }.prefix(top).map { prefix, beam in
      TextAlternative(text: String(prefix.map { charset[$0] }), confidence: beam.total)
    }
  }
}
