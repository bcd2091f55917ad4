// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

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
