// SPDX-License-Identifier: AGPL-3.0-or-later

/// Exponential backoff: the n-th consecutive failure waits up to `min(cap, base × 2ⁿ⁻¹)`.
///
/// The uplink draws a random time between half and all of that ceiling (``delay(afterFailures:using:)``)
/// so a fleet that lost the hub at once does not return at once; a device reopened on one vehicle
/// (the camera, gpsd) waits the ceiling itself, counting failures with ``Retries``.
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
    return scaled >= cap.seconds ? cap : base * (1 << exponent)
  }

  /// The jittered delay to wait after `failures` consecutive failures.
  public func delay(afterFailures failures: Int, using generator: inout some RandomNumberGenerator) -> Duration {
    let top = ceiling(afterFailures: failures).seconds
    guard top > 0 else { return .zero }
    return .seconds(Double.random(in: (top / 2)...top, using: &generator))
  }

  /// Consecutive failures under one policy, for a retry loop: ``take()`` the wait before each
  /// retry, ``reset()`` after a success.
  public struct Retries: Sendable, Equatable {
    /// The policy.
    public let policy: Backoff
    /// Failures since the last success.
    public private(set) var failures = 0

    /// Starts with no failure.
    public init(_ policy: Backoff) { self.policy = policy }

    /// The wait the next failure will take.
    public var next: Duration { policy.ceiling(afterFailures: failures + 1) }

    /// Counts a failure and returns the wait before retrying.
    public mutating func take() -> Duration {
      failures += 1
      return policy.ceiling(afterFailures: failures)
    }

    /// Back to the first wait, after a success.
    public mutating func reset() { failures = 0 }
  }
}
