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

/// Where a parked car seen by the camera is, with how far off that may be.
public struct CurbEstimate: Sendable, Equatable {
  /// The estimated position of the parked car.
  public var position: GeoPosition
  /// Radius in metres within which the car is expected: the pose's uncertainty, plus the mount error, plus the
  /// sideways error a heading uncertainty causes at the camera's lever arm.
  public var uncertainty: Double
  /// The instant of the pose it was projected from.
  public var time: Date
}

/// Projects the vehicle's pose through the camera mount to the parking lane.
public struct CurbProjection: Sendable {
  /// The mount.
  public var mount: CameraMount

  /// Makes a projection for one mount.
  public init(mount: CameraMount) {
    self.mount = mount
  }

  /// The parked car's estimated position, or `nil` when the pose has no heading (the side is then unknown).
  public func project(_ pose: VehiclePose) -> CurbEstimate? {
    guard let heading = pose.heading else { return nil }
    // The camera axis meets the lane `curbDistance` to the side; turning it by `yaw` moves that point forward.
    let yawRadians = mount.yaw * .pi / 180
    let forward = mount.forwardOffset + mount.curbDistance * tan(yawRadians)
    let sideways = mount.side == .right ? mount.curbDistance : -mount.curbDistance
    let theta = heading * .pi / 180
    // Forward is along the heading; right is the heading turned clockwise by 90°.
    let north = forward * cos(theta) - sideways * sin(theta)
    let east = forward * sin(theta) + sideways * cos(theta)
    let position = pose.position.offset(north: north, east: east)
    let leverArm = (forward * forward + mount.curbDistance * mount.curbDistance).squareRoot()
    let headingError = min(pose.headingUncertainty, 90) * .pi / 180
    let uncertainty = pose.uncertainty + mount.mountError + leverArm * sin(headingError)
    return CurbEstimate(position: position, uncertainty: uncertainty, time: pose.time)
  }
}
