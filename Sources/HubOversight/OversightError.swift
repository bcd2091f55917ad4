// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// An oversight task that cannot go on: a code, a sentence for a person naming the file or the
/// input and what would fix it, and the cause.
public typealias OversightError = CodedError<OversightDomain>

/// The domain of ``OversightError``.
public enum OversightDomain: ErrorDomain {}

extension CodedError.Code where Domain == OversightDomain {
  /// The hub database cannot be opened, read or written.
  public static let storage = Self("storage")
  /// An input file (tract GeoJSON, closures CSV) or argument is not usable.
  public static let input = Self("input")
}
