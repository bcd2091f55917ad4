// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing

@testable import Enforcement

/// What a step of a sign case expects the ledger to decide.
enum Expect: Equatable, Sendable, CustomStringConvertible {
  case skipped(SkipReason)
  case chalked
  case renewed
  case overstay
  case noReturn
  case permit

  init(_ decision: Decision) {
    switch decision {
    case .skipped(let reason): self = .skipped(reason)
    case .chalked(_, let renewed): self = renewed ? .renewed : .chalked
    case .candidate(let candidate):
      switch candidate.rule {
      case .overstay: self = .overstay
      case .noReturn: self = .noReturn
      case .permitRequired: self = .permit
      }
    }
  }

  var description: String {
    switch self {
    case .skipped(let reason): "skipped(\(reason.rawValue))"
    case .chalked: "chalked"
    case .renewed: "renewed"
    case .overstay: "overstay"
    case .noReturn: "noReturn"
    case .permit: "permit"
    }
  }
}

/// One sighting of a sign case and what it should yield.
struct Step: Sendable {
  var time: String
  var plates: [(String, Double)]
  var x: Double?
  var y: Double
  var uncertainty: Double
  var expect: Expect
  /// The candidate's match confidence, when the case pins it.
  var confidence: Double?

  init(
    _ time: String, _ plates: [(String, Double)], x: Double? = 20, y: Double = 1.5, u: Double = 2, _ expect: Expect,
    confidence: Double? = nil
  ) {
    self.time = time
    self.plates = plates
    self.x = x
    self.y = y
    self.uncertainty = u
    self.expect = expect
    self.confidence = confidence
  }

  init(_ time: String, x: Double? = 20, u: Double = 2, _ expect: Expect, confidence: Double? = nil) {
    self.init(time, [("7ABC123", 0.9)], x: x, u: u, expect, confidence: confidence)
  }

  init(_ time: String, _ plate: String, x: Double? = 20, u: Double = 2, _ expect: Expect) {
    self.init(time, [(plate, 0.9)], x: x, u: u, expect)
  }
}

/// A row of the table: named like the sign (and the situation) it reads.
struct SignCase: Sendable, CustomTestStringConvertible {
  var name: String
  var policies: [String]
  var configuration = EnforcementConfiguration()
  var permits: [String: [String]] = [:]
  /// No verified permit list at all (a first start), instead of a verified list with `permits`.
  var noPermitList = false
  var steps: [Step]

  init(
    _ name: String, _ policies: [String], configuration: EnforcementConfiguration = .init(),
    permits: [String: [String]] = [:], noPermitList: Bool = false, _ steps: [Step]
  ) {
    self.name = name
    self.policies = policies
    self.configuration = configuration
    self.permits = permits
    self.noPermitList = noPermitList
    self.steps = steps
  }

  var testDescription: String { name }
}
