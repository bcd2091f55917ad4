// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// The rules of US plate text: characters A–Z and 0–9, 2 to 8 of them.
///
/// Matching uses the project's one canonical form (``PlateCanonicalForm``: O and Q → 0, I → 1),
/// because US plates (and their readers) do not tell them apart reliably. State formats are
/// soft priors (``LayoutPrior``): they reorder close alternatives and never force a read.
public enum PlateGrammar {
  /// Fewest characters on a US plate.
  public static let minimumLength = 2
  /// Most characters on a US plate.
  public static let maximumLength = 8

  /// The text upper-cased with everything but A–Z and 0–9 removed (spaces, dashes, dots, emblems).
  public static func normalized(_ text: String) -> String {
    String(String.UnicodeScalarView(text.uppercased().unicodeScalars.filter { isPlateCharacter($0) }))
  }

  /// Whether the normalized text has a plausible US length (2–8 characters of A–Z, 0–9).
  public static func isValid(_ text: String) -> Bool {
    let n = normalized(text)
    return n == text && (minimumLength...maximumLength).contains(n.count)
  }

  /// Whether two reads name the same plate (canonical forms equal).
  public static func samePlate(_ a: String, _ b: String) -> Bool {
    PlateCanonicalForm.canonical(a) == PlateCanonicalForm.canonical(b)
  }

  /// The layout of a text: each letter as `L`, each digit as `D`.
  public static func layout(_ text: String) -> String {
    String(normalized(text).map { $0.isNumber ? "D" : "L" })
  }

  private static func isPlateCharacter(_ s: Unicode.Scalar) -> Bool {
    (s >= "A" && s <= "Z") || (s >= "0" && s <= "9")
  }
}
