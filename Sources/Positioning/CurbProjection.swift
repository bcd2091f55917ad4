// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

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
