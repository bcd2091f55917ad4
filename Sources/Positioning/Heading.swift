// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Arithmetic on headings in degrees, clockwise from true north.
public enum Heading {
  /// `degrees` brought into 0..<360.
  public static func normalized(_ degrees: Double) -> Double {
    var d = degrees.truncatingRemainder(dividingBy: 360)
    if d < 0 { d += 360 }
    return d == 360 ? 0 : d
  }

  /// The signed smallest turn from `from` to `to`, -180..<180 degrees.
  public static func difference(from: Double, to: Double) -> Double {
    var d = (to - from).truncatingRemainder(dividingBy: 360)
    if d >= 180 { d -= 360 }
    if d < -180 { d += 360 }
    return d
  }

  /// The heading a fraction `t` (0...1) of the way from `a` to `b`, turning the short way round.
  public static func interpolate(_ a: Double, _ b: Double, fraction t: Double) -> Double {
    normalized(a + difference(from: a, to: b) * t)
  }
}
