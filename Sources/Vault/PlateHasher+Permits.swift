// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation

extension PlateHasher {
  /// A hasher under a permit list's key (not a chalk window's): the hub hashes the permit
  /// office's plates with it and the vehicle its readings, so the two meet as equal hashes and
  /// no permit plate text reaches the vehicle. The key lives in memory only; on disk it stays
  /// sealed to the device inside the permits document.
  public init(permitKey: SymmetricKey, id: String) throws {
    self.init(window: try ChalkWindow(id: id, expiresAt: .distantFuture), key: permitKey)
  }
}
