// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Turns the fused probability of a car's best text into the probability that the text is right.
///
/// The fusion treats a car's frames as independent evidence; they are not (one car, one light,
/// one angle), so its log-odds grow with the frames fused while the chance of a right read does
/// not. The map is logistic in the log-odds per frame, `σ(slope · logit(p) / frames + intercept)`:
/// monotone for a given number of frames, so it reorders no alternatives, and fitted to sightings
/// whose truth is known (`chalkline bench --only patrol --tracker-calibration none` prints the fit;
/// MODEL.md gives the reliability tables before and after).
public struct ConfidenceCalibration: Sendable, Equatable {
  /// The weight of the fused log-odds (below 1: the fusion is too sure).
  public var slope: Double
  /// The log-odds added (below 0: a read is right less often than even odds say).
  public var intercept: Double

  /// Creates a calibration.
  public init(slope: Double, intercept: Double) {
    self.slope = slope
    self.intercept = intercept
  }

  /// The calibrated probability of a probability `p` fused from `frames` frames.
  public func callAsFunction(_ p: Double, frames: Int = 1) -> Double {
    1 / (1 + exp(-(slope * Self.logOdds(p) / Double(max(1, frames)) + intercept)))
  }

  /// The log-odds of `p`, taken within 10⁻⁶ of 0 and 1: the fusion's surest probabilities differ
  /// beyond that only by rounding (three frames of the same plate multiply out to 1 − 10⁻¹⁵), and
  /// the map would otherwise weigh that noise.
  public static func logOdds(_ p: Double) -> Double {
    let q = min(max(p, 1e-6), 1 - 1e-6)
    return log(q / (1 - q))
  }

  /// The alternatives with the best one's probability calibrated and the others sharing what is
  /// left in their fused proportions: the order is kept and the sum stays at most 1.
  public func apply(_ alternatives: [TextAlternative], frames: Int = 1) -> [TextAlternative] {
    guard var best = alternatives.first else { return alternatives }
    let fused = best.confidence
    best.confidence = self(fused, frames: frames)
    let scale = fused < 1 ? (1 - best.confidence) / (1 - fused) : 0
    return [best]
      + alternatives.dropFirst().map {
        TextAlternative(text: $0.text, confidence: min($0.confidence * scale, best.confidence))
      }
  }
}
