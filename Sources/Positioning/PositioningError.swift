// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// An error from positioning: a code to branch on, a sentence for a technician, and what caused it.
public typealias PositioningError = CodedError<PositioningDomain>

/// The domain of ``PositioningError``.
public enum PositioningDomain: ErrorDomain {}

extension CodedError.Code where Domain == PositioningDomain {
  /// gpsd could not be reached.
  public static let gpsdUnreachable = Self("gpsd-unreachable")
  /// A gpsd log could not be read.
  public static let logUnreadable = Self("log-unreadable")
  /// A gpsd log could not be written.
  public static let logUnwritable = Self("log-unwritable")
  /// A benchmark or test bed could not start its gpsd or feeder.
  public static let testBedFailed = Self("test-bed-failed")
}
