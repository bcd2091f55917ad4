// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Imaging

/// One plate read in one frame: where it is, what it says, and how sure the reader is.
///
/// Holds plate text: never log it or put it in a metric label or file name.
public struct PlateRead: Sendable, Equatable {
  /// The plate's corners in frame pixels.
  public var quad: Quad
  /// The detector's score in [0, 1].
  public var detectionScore: Double
  /// The best text (A–Z, 0–9).
  public var text: String
  /// The probability of each character of `text`.
  public var characterConfidences: [Double]
  /// The most probable texts, best first, after the grammar's priors; the first is `text`.
  public var alternatives: [TextAlternative]
  /// The rectified plate crop the recognizer read (luma).
  public var crop: LumaImage
  /// The recognizer's column probabilities of each view it read this plate in (the detector's
  /// corners, the refined ones, the extra views), for the tracker's fusion across frames; empty
  /// when the read comes from elsewhere (the tracker then fuses `alternatives`).
  public var posteriors: [CTCPosteriors]

  /// How sure the reader is of this plate: the detector's score times the text's probability
  /// per character (its geometric mean), so long plates are not ranked below short ones.
  public var confidence: Double {
    let p = alternatives.first?.confidence ?? 0
    return detectionScore * pow(p, 1 / Double(max(1, text.count)))
  }

  /// Creates a read.
  public init(
    quad: Quad, detectionScore: Double, text: String, characterConfidences: [Double],
    alternatives: [TextAlternative], crop: LumaImage, posteriors: [CTCPosteriors] = []
  ) {
    self.quad = quad
    self.detectionScore = detectionScore
    self.text = text
    self.characterConfidences = characterConfidences
    self.alternatives = alternatives
    self.crop = crop
    self.posteriors = posteriors
  }
}
