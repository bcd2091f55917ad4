// SPDX-License-Identifier: AGPL-3.0-or-later

/// An error from loading a model or reading plates.
///
/// It carries a code a program can switch on, a sentence a technician can act on, and the cause.
public struct PlateReadingError: Error, Sendable, Equatable, CustomStringConvertible {
  /// What went wrong, for programs.
  public enum Code: String, Sendable, Equatable {
    /// A model's resource files are missing from the package.
    case modelMissing = "model_missing"
    /// A model's description or weights do not follow the chalkline-nn format.
    case modelInvalid = "model_invalid"
    /// An input tensor does not fit the model.
    case badInput = "bad_input"
    /// An image could not be read.
    case imageUnreadable = "image_unreadable"
  }

  /// What went wrong, for programs.
  public var code: Code
  /// What went wrong and what would fix it, for a person.
  public var message: String
  /// The underlying cause, if any.
  public var cause: String?

  /// Creates an error.
  public init(_ code: Code, _ message: String, cause: String? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  /// `code: message (cause)`.
  public var description: String {
    if let cause { return "\(code.rawValue): \(message) (\(cause))" }
    return "\(code.rawValue): \(message)"
  }
}
