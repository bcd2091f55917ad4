// SPDX-License-Identifier: AGPL-3.0-or-later

/// The rules of US plate text: characters A–Z and 0–9, 2 to 8 of them.
///
/// Matching uses a canonical form that folds the letter O into the digit 0 and I into 1,
/// because US plates (and their readers) do not tell them apart reliably. State formats are
/// soft priors: a read that fits a common format gains a little, one that fits none is kept.
public enum PlateGrammar {
  /// Fewest characters on a US plate.
  public static let minimumLength = 2
  /// Most characters on a US plate.
  public static let maximumLength = 8

  /// The text upper-cased with everything but A–Z and 0–9 removed (spaces, dashes, dots, emblems).
  public static func normalized(_ text: String) -> String {
    String(String.UnicodeScalarView(text.uppercased().unicodeScalars.filter { isPlateCharacter($0) }))
  }

  /// The form used to compare two reads: normalized, O → 0, I → 1.
  public static func canonical(_ text: String) -> String {
    String(
      String.UnicodeScalarView(
        normalized(text).unicodeScalars.map { s -> Unicode.Scalar in
          s == "O" ? "0" : s == "I" ? "1" : s
        }))
  }

  /// Whether the normalized text has a plausible US length (2–8 characters of A–Z, 0–9).
  public static func isValid(_ text: String) -> Bool {
    let n = normalized(text)
    return n == text && (minimumLength...maximumLength).contains(n.count)
  }

  /// Whether two reads name the same plate (canonical forms equal).
  public static func samePlate(_ a: String, _ b: String) -> Bool { canonical(a) == canonical(b) }

  /// Common state layouts as patterns: `L` a letter, `D` a digit. Priors, not rules: vanity and
  /// specialty plates fit none of them and are still read.
  public static let commonFormats: [(format: String, states: String)] = [
    ("DLLLDDD", "CA passenger"),
    ("LLLDDDD", "TX, NY, PA, OH, MI, GA, NC, VA, AZ, IN, …"),
    ("LLLDDD", "many states, older series"),
    ("DDDLLL", "many states, older series"),
    ("LLDDDDD", "IL, FL, …"),
    ("DLLDDD", "various"),
    ("LLDLDL", "MO, …"),
    ("DDDDDDD", "numeric series"),
    ("DDDDDD", "numeric series"),
    ("LDDLLL", "various"),
    ("DDLLDD", "various"),
  ]

  /// The layout of a text: each letter as `L`, each digit as `D`.
  public static func layout(_ text: String) -> String {
    String(normalized(text).map { $0.isNumber ? "D" : "L" })
  }

  /// A multiplier for a read's confidence: 1 for a common layout, slightly less otherwise, and
  /// much less for a length no US plate has. It reorders close alternatives, never forces a read.
  public static func prior(_ text: String) -> Double {
    guard isValid(text) else { return 0.05 }
    // O/0 and I/1 confusions: a layout matches if it matches after either reading of those.
    if commonFormats.contains(where: { matches(text: normalized(text), format: $0.format) }) { return 1.0 }
    return 0.7
  }

  private static func matches(text: String, format: String) -> Bool {
    guard text.count == format.count else { return false }
    for (c, f) in zip(text, format) {
      let isDigit = c.isNumber
      let ambiguous = c == "O" || c == "0" || c == "I" || c == "1"
      if f == "D" && !isDigit && !ambiguous { return false }
      if f == "L" && isDigit && !ambiguous { return false }
    }
    return true
  }

  private static func isPlateCharacter(_ s: Unicode.Scalar) -> Bool {
    (s >= "A" && s <= "Z") || (s >= "0" && s <= "9")
  }
}
