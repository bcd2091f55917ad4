// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import PlateReading

/// How well a stated confidence predicts that a read is right: the reads in bins of their stated
/// probability, each bin with its count, mean stated confidence and the share that was right (a
/// reliability table), the count-weighted gap between the two (expected calibration error) and
/// the Brier score. A calibrated confidence has each bin's share right near its mean confidence.
public struct Reliability: Sendable, Equatable {
  /// One read: what it stated and whether it was right.
  public struct Sample: Sendable, Equatable {
    public var confidence: Double
    public var right: Bool
    /// The frames its confidence was fused from (what ``ConfidenceCalibration`` divides by).
    public var frames: Int

    public init(confidence: Double, right: Bool, frames: Int = 1) {
      self.confidence = confidence
      self.right = right
      self.frames = frames
    }
  }

  /// One bin of the table: the reads whose confidence is in `lower..<upper` (the last bin holds 1).
  public struct Bin: Sendable, Equatable {
    public var lower: Double
    public var upper: Double
    public var count = 0
    public var meanConfidence = 0.0
    public var right = 0
    /// The share of the bin's reads that were right (0 for an empty bin).
    public var accuracy: Double { count > 0 ? Double(right) / Double(count) : 0 }
  }

  /// The bins' edges: finer near 1, where a candidate's reads are.
  public static let edges: [Double] = [0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1]

  public private(set) var samples: [Sample]

  public init(_ samples: [Sample] = []) { self.samples = samples }

  public mutating func add(confidence: Double, right: Bool, frames: Int = 1) {
    samples.append(Sample(confidence: confidence, right: right, frames: frames))
  }

  public var bins: [Bin] {
    var bins = zip(Self.edges, Self.edges.dropFirst()).map { Bin(lower: $0, upper: $1) }
    for s in samples {
      let c = min(max(s.confidence, 0), 1)
      let i = bins.firstIndex { c < $0.upper } ?? bins.count - 1
      bins[i].meanConfidence += c
      bins[i].count += 1
      if s.right { bins[i].right += 1 }
    }
    for i in bins.indices where bins[i].count > 0 { bins[i].meanConfidence /= Double(bins[i].count) }
    return bins
  }

  /// Σ over bins of (count / all) × |share right − mean confidence|.
  public var expectedCalibrationError: Double {
    guard !samples.isEmpty else { return 0 }
    return bins.reduce(0) { $0 + Double($1.count) * abs($1.accuracy - $1.meanConfidence) } / Double(samples.count)
  }

  /// The mean of (confidence − right)², 0 for a perfect and sure predictor.
  public var brier: Double {
    guard !samples.isEmpty else { return 0 }
    return samples.reduce(0) { $0 + pow($1.confidence - ($1.right ? 1 : 0), 2) } / Double(samples.count)
  }

  /// The figures for `chalkline bench` (`prefix` names the material): per bin its count, mean
  /// confidence and share right, then the calibration error and the Brier score.
  public func figures(prefix: String) -> [(metric: String, value: Double, unit: String)] {
    var figures: [(metric: String, value: Double, unit: String)] = []
    for bin in bins where bin.count > 0 {
      let name = "\(prefix)_reliability_\(Self.label(bin.lower))_\(Self.label(bin.upper))"
      figures.append(("\(name)_count", Double(bin.count), "count"))
      figures.append(("\(name)_confidence", bin.meanConfidence, "probability"))
      figures.append(("\(name)_right", bin.accuracy, "probability"))
    }
    figures.append(("\(prefix)_calibration_error", expectedCalibrationError, "probability"))
    figures.append(("\(prefix)_brier", brier, "score"))
    return figures
  }

  /// The logistic map of the log-odds per frame (``ConfidenceCalibration``) under which these samples are
  /// likeliest (Newton's method), with a weak pull towards the identity (a ridge of `ridge` on
  /// slope − 1 and the intercept) so that a sample set the map separates perfectly stays finite.
  /// `nil` without both right and wrong samples.
  public func fittedCalibration(ridge: Double = 0.1) -> ConfidenceCalibration? {
    guard samples.contains(where: \.right), samples.contains(where: { !$0.right }) else { return nil }
    let x = samples.map { ConfidenceCalibration.logOdds($0.confidence) / Double(max(1, $0.frames)) }
    let y = samples.map { $0.right ? 1.0 : 0.0 }
    func objective(_ a: Double, _ b: Double) -> Double {
      var l = -0.5 * ridge * ((a - 1) * (a - 1) + b * b)
      for i in x.indices {
        let z = a * x[i] + b
        // log σ(z) and log(1 − σ(z)), stable for large |z|.
        l -= y[i] > 0 ? log1p(exp(-abs(z))) + max(-z, 0) : log1p(exp(-abs(z))) + max(z, 0)
      }
      return l
    }
    var (a, b) = (1.0, 0.0)
    for _ in 0..<100 {
      // Gradient and Hessian of the log-likelihood minus the ridge.
      var (ga, gb) = (-ridge * (a - 1), -ridge * b)
      var (haa, hab, hbb) = (ridge, 0.0, ridge)
      for i in x.indices {
        let p = 1 / (1 + exp(-(a * x[i] + b)))
        let w = p * (1 - p)
        ga += (y[i] - p) * x[i]
        gb += y[i] - p
        haa += w * x[i] * x[i]
        hab += w * x[i]
        hbb += w
      }
      let det = haa * hbb - hab * hab
      guard det > 1e-12 else { break }
      var da = (hbb * ga - hab * gb) / det
      var db = (haa * gb - hab * ga) / det
      // A step that does not raise the likelihood is halved (Newton's step alone can overshoot).
      let before = objective(a, b)
      while objective(a + da, b + db) < before, abs(da) + abs(db) > 1e-12 {
        da /= 2
        db /= 2
      }
      a += da
      b += db
      if abs(da) + abs(db) < 1e-10 { break }
    }
    return ConfidenceCalibration(slope: a, intercept: b)
  }

  static func label(_ edge: Double) -> String { String(format: "%03d", Int((edge * 100).rounded())) }
}
