// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// How the camera sits on the vehicle, from the device profile.
public struct CameraMount: Sendable, Equatable {
  /// Which side of the vehicle the camera looks out of.
  public enum Side: String, Sendable, Codable {
    case left
    case right
  }

  /// The side the camera looks out of.
  public var side: Side
  /// Sideways distance from the GPS antenna to the middle of the parking lane, metres (positive).
  public var curbDistance: Double
  /// How far the camera is ahead of the GPS antenna along the vehicle, metres (negative: behind).
  public var forwardOffset: Double
  /// How far the camera's axis is turned from square to the vehicle, towards the front, degrees.
  public var yaw: Double
  /// How far the mount measurements and the lane position may be off, metres.
  public var mountError: Double

  /// Makes a mount description.
  public init(side: Side, curbDistance: Double, forwardOffset: Double = 0, yaw: Double = 0, mountError: Double = 1) {
    self.side = side
    self.curbDistance = curbDistance
    self.forwardOffset = forwardOffset
    self.yaw = yaw
    self.mountError = mountError
  }
}
