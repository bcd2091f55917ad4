// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// An error from positioning: a code to branch on, a sentence for a technician, and what caused it.
public struct PositioningError: Error, CustomStringConvertible, @unchecked Sendable {
  // @unchecked: `cause` is an arbitrary `any Error` kept only for printing.

  /// What went wrong, to branch on.
  public enum Code: String, Sendable {
    /// gpsd could not be reached.
    case gpsdUnreachable = "gpsd-unreachable"
    /// A gpsd log could not be read.
    case logUnreadable = "log-unreadable"
    /// A gpsd log could not be written.
    case logUnwritable = "log-unwritable"
    /// A benchmark or test bed could not start its gpsd or feeder.
    case testBedFailed = "test-bed-failed"
  }

  /// What went wrong.
  public var code: Code
  /// A sentence a technician can act on.
  public var message: String
  /// The underlying error, if any.
  public var cause: (any Error)?

  /// Makes an error.
  public init(code: Code, message: String, cause: (any Error)? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  public var description: String {
    guard let cause else { return "\(code.rawValue): \(message)" }
    return "\(code.rawValue): \(message) (cause: \(cause))"
  }
}
