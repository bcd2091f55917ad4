// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The recognizer's per-column class probabilities for one view of a plate: what the tracker
/// fuses across the frames of a car (``PlateTracker``), by scoring each candidate text in every
/// frame with ``logProbability(of:)``.
///
/// Holds what the plate says (in another form than text): never log it.
public struct CTCPosteriors: Sendable, Equatable {
  /// Output columns (time steps of the CTC output).
  public let columns: Int
  /// Classes per column (the charset, blank included).
  public let classes: Int
  /// Probabilities, column after column (`columns × classes`).
  public let values: [Float]
  /// The class characters (the decoder's charset) and the blank's index.
  public let charset: [Character]
  public let blank: Int

  /// Posteriors from `[T][classes]` probabilities (as ``CTCDecoder/probabilities(logits:)`` returns
  /// them) of a model with `decoder`'s charset.
  public init(_ probabilities: [[Double]], decoder: CTCDecoder) {
    columns = probabilities.count
    classes = probabilities.first?.count ?? 0
    values = probabilities.flatMap { $0.map(Float.init) }
    charset = decoder.charset
    blank = decoder.blank
  }

  /// The probability of class `k` at column `t`.
  @inline(__always) public subscript(t: Int, k: Int) -> Double { Double(values[t * classes + k]) }
}

extension CTCPosteriors {
  /// The natural log of the probability that the columns spell exactly `text`, summed over every
  /// CTC alignment (the forward algorithm); `-infinity` for a text outside the charset or longer
  /// than the columns allow.
  public func logProbability(of text: String) -> Double {
    let posteriors = self
    var labels: [Int] = []
    for ch in text {
      guard let index = charset.firstIndex(of: ch), index != blank else { return -.infinity }
      labels.append(index)
    }
    let t = posteriors.columns
    guard t > 0, posteriors.classes == charset.count else { return -.infinity }
    // The extended label sequence: blank, l1, blank, l2, …, blank.
    let states = 2 * labels.count + 1
    func label(_ s: Int) -> Int { s % 2 == 0 ? blank : labels[s / 2] }
    var alpha = [Double](repeating: 0, count: states)
    var next = alpha
    alpha[0] = posteriors[0, blank]
    if states > 1 { alpha[1] = posteriors[0, label(1)] }
    var logScale = 0.0
    for column in 0..<t {
      if column > 0 {
        for s in 0..<states {
          var sum = alpha[s]
          if s >= 1 { sum += alpha[s - 1] }
          if s >= 2, s % 2 == 1, label(s) != label(s - 2) { sum += alpha[s - 2] }
          next[s] = sum * posteriors[column, label(s)]
        }
        swap(&alpha, &next)
      }
      // Rescale every column so that long, unlikely texts do not underflow.
      let total = alpha.reduce(0, +)
      guard total > 0 else { return -.infinity }
      for s in 0..<states { alpha[s] /= total }
      logScale += log(total)
    }
    let end = alpha[states - 1] + (states > 1 ? alpha[states - 2] : 0)
    return end > 0 ? log(end) + logScale : -.infinity
  }
}
