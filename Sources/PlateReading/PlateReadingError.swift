// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// An error from loading a model or reading plates.
public typealias PlateReadingError = CodedError<PlateReadingDomain>

/// The domain of ``PlateReadingError``.
public enum PlateReadingDomain: ErrorDomain {}

extension CodedError.Code where Domain == PlateReadingDomain {
  /// A model's resource files are missing from the package.
  public static let modelMissing = Self("model-missing")
  /// A model's description or weights do not follow the chalkline-nn format.
  public static let modelInvalid = Self("model-invalid")
  /// An input tensor does not fit the model.
  public static let badInput = Self("bad-input")
  /// An image could not be read.
  public static let imageUnreadable = Self("image-unreadable")
}
