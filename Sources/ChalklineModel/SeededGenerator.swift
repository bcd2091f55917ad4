// SPDX-License-Identifier: AGPL-3.0-or-later
import FoundationEssentials

/// SplitMix64: a small, fast generator whose sequence depends only on its seed, so whatever it
/// makes (a benchmark's city, a generated year, a crash run's schedule, a test's garbage) is the
/// same on every machine and every run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
  /// The generator's state; the next value follows from it alone.
  public var state: UInt64

  /// Creates a generator from a seed.
  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// `count` random bytes.
  public mutating func bytes(_ count: Int) -> Data {
    Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &self) })
  }

  /// A random version-4 UUID.
  public mutating func uuid() -> UUID {
    var b = [UInt8](bytes(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    return UUID(
      uuid: (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]))
  }
}
