// SPDX-License-Identifier: AGPL-3.0-or-later

/// The one canonical form of a plate: what the tracker votes on and merges by, what the vault's
/// hasher and the hub's permit list hash, and what an officer's correction is compared in.
///
/// Letters are upper-cased and the separators people and permit offices write (spaces, dashes,
/// dots, `·`, tabs) dropped; then the characters a plate reader confuses on US plates are folded
/// together: `O` and `Q` become `0`, `I` becomes `1`. So `7abc-1o3`, `7ABC 1Q3` and `7ABC103` are
/// one plate to every part, and a misread of one of them can neither split a car into two tracks
/// nor miss its chalk mark or its permit. Any other character is kept, so that a checker (the
/// permit list's, an officer's form) can still refuse it.
public enum PlateCanonicalForm {
  /// Returns the canonical form of a plate reading.
  public static func canonical(_ reading: some StringProtocol) -> String {
    var out = ""
    out.reserveCapacity(reading.utf8.count)
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
