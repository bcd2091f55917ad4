// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

extension PlateHash {
  /// The keyed hash of one plate reading in its canonical form (``PlateCanonicalForm``), so that
  /// `7abc-1o3` and `7ABC103` hash alike: HMAC-SHA-256 under `key` (a chalk window's, on the
  /// vehicle, or a permit list's, on the vehicle and in the hub) of a domain label and the form.
  public init(plateText: String, key: SymmetricKey) {
    var message = Data("chalkline-plate-v1\u{0}".utf8)
    message.append(contentsOf: PlateCanonicalForm.canonical(plateText).utf8)
    self.init(bytes: Data(HMAC<SHA256>.authenticationCode(for: message, using: key)))
  }
}
