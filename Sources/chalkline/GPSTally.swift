// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Positioning

/// What `chalkline gps` saw: usable fixes and refusals by reason, for its verdict at `--timeout`.
struct GPSTally: Sendable {
  var usable = 0
  var refused: [String: Int] = [:]
  /// The largest error estimate among fixes refused as too uncertain, metres.
  var worstError: Double?
  /// The smallest, metres: what a technician compares with the limit.
  var bestError: Double?
  var clockProblem: String?
  var state: GPSDState?

  mutating func record(_ verdict: FixQuality.Verdict) {
    switch verdict {
    case .usable:
      usable += 1
      return
    case .tooUncertain(let error):
      worstError = max(worstError ?? error, error)
      bestError = min(bestError ?? error, error)
    case .implausibleTime(let problem):
      clockProblem = problem
    default:
      break
    }
    refused[verdict.reason, default: 0] += 1
  }

  /// One sentence a technician can act on.
  func verdict(after seconds: Double, wanted: Int, maxEph: Double) -> String {
    let window = "in \(DurationWords.format(seconds))"
    let head = usable == 0 ? "no usable fix \(window)" : "\(usable) usable fix(es) of \(wanted) wanted \(window)"
    let total = refused.values.reduce(0, +)
    guard total > 0 else {
      switch state {
      case .noGPSD?, nil: return head + ": gpsd did not answer (is it running? check --host/--port)"
      case .noFix?: return head + ": gpsd has no fix from the receiver (antenna connected? open sky?)"
      default: return head + ": gpsd sent no fix"
      }
    }
    var reasons: [String] = []
    if let count = refused["too_uncertain"], let best = bestError, let worst = worstError {
      let range = best == worst ? String(format: "%.1f m", worst) : String(format: "%.1f–%.1f m", best, worst)
      reasons.append(
        "\(count) with error estimate \(range) > \(String(format: "%g", maxEph)) m (antenna sky view, or the receiver's accuracy)"
      )
    }
    if let count = refused["no_fix"] { reasons.append("\(count) without a position (mode 1: no satellites locked)") }
    if let count = refused["no_error_estimate"] { reasons.append("\(count) without an error estimate") }
    if let count = refused["too_old"] { reasons.append("\(count) too old (gpsd or the clock lags)") }
    if let count = refused["implausible_time"], let clockProblem {
      reasons.append("\(count) with an implausible date: \(clockProblem)")
    }
    return head + ": \(total) fix(es) refused: " + reasons.joined(separator: "; ")
  }
}

/// `30 s`, `2 min`, `1 h 30 min`.
enum DurationWords {
  static func format(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 120 { return "\(s) s" }
    if s < 7_200 { return s % 60 == 0 ? "\(s / 60) min" : "\(s / 60) min \(s % 60) s" }
    return "\(s / 3_600) h \(s % 3_600 / 60) min"
  }
}
