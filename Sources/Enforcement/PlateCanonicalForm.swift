// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The canonical form of a plate reading that the caller hashes into a ``PlateKey``.
///
/// Characters a plate reader confuses on US plates are folded together before hashing, so that
/// `7ABC1O3` and `7ABC103` become the same key: `O` and `Q` become `0`, `I` becomes `1`. Spaces,
/// dashes and dots are dropped and letters upper-cased. Enforcement itself never sees the text:
/// this function is here so that the vault and the tests fold readings the same way.
public enum PlateCanonicalForm {
  /// Returns the canonical form of a plate reading.
  public static func canonical(_ reading: String) -> String {
    var out = ""
    out.reserveCapacity(reading.count)
    for ch in reading.uppercased() {
      switch ch {
      case " ", "-", ".", "·", "\t": continue
      case "O", "Q": out.append("0")
      case "I": out.append("1")
      default: out.append(ch)
      }
    }
    return out
  }
}
