// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Wire

extension PlateHasher {
  /// A hasher under a permit list's key (not a chalk window's): the hub hashes the permit
  /// office's plates with it and the vehicle its readings, so the two meet as equal hashes and
  /// no permit plate text reaches the vehicle. The key lives in memory only; on disk it stays
  /// sealed to the device inside the permits document.
  public init(permitKey: SymmetricKey, id: String) throws {
    self.init(window: try ChalkWindow(id: id, expiresAt: .distantFuture), key: permitKey)
  }
}

extension PermitsDocument {
  /// The hash of a canonical plate under `hasher`'s permit key (``hash(canonicalPlate:key:)``).
  public static func hash(canonicalPlate: String, with hasher: PlateHasher) -> Data {
    hash(canonicalPlate: canonicalPlate, key: hasher.key)
  }
}
