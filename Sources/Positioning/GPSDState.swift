// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The state of the position source as a technician would describe it.
public enum GPSDState: String, Sendable, Equatable, CustomStringConvertible {
  /// gpsd cannot be reached (not running, wrong address, restarting).
  case noGPSD = "no-gpsd"
  /// gpsd answers but reports no position (no receiver, no sky view, cold start).
  case noFix = "no-fix"
  /// A 2D fix.
  case fix2D = "2d"
  /// A 3D fix.
  case fix3D = "3d"

  public var description: String { rawValue }
}
