// SPDX-License-Identifier: AGPL-3.0-or-later

/// Exponential backoff with jitter: the n-th consecutive failure waits a random time between half
/// and all of `min(cap, base × 2ⁿ)`, so a fleet that lost the hub at once does not return at once.
public struct Backoff: Sendable, Equatable {
  /// The first delay's ceiling.
  public var base: Duration
  /// The largest delay.
  public var cap: Duration

  /// Creates a backoff policy.
  public init(base: Duration = .milliseconds(500), cap: Duration = .seconds(300)) {
    self.base = base
    self.cap = cap
  }

  /// The ceiling for the `failures`-th consecutive failure (1 is the first).
  public func ceiling(afterFailures failures: Int) -> Duration {
    guard failures > 0 else { return .zero }
    let exponent = min(failures - 1, 40)
    let scaled = base.seconds * Double(1 << UInt64(exponent))
    return .seconds(min(cap.seconds, scaled))
  }

  /// The delay to wait after `failures` consecutive failures.
  public func delay(afterFailures failures: Int, using generator: inout some RandomNumberGenerator) -> Duration {
    let top = ceiling(afterFailures: failures).seconds
    guard top > 0 else { return .zero }
    return .seconds(Double.random(in: (top / 2)...top, using: &generator))
  }
}

extension Duration {
  /// The duration in seconds.
  var seconds: Double {
    let (whole, attoseconds) = components
    return Double(whole) + Double(attoseconds) / 1e18
  }
}
