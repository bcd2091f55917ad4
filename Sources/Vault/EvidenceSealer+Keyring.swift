// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Wire

extension EvidenceSealer {
  /// A sealer for the upstream key in `keyring`, bound to its device key; fails when the upstream
  /// key was never imported.
  public init(keyring: Keyring) throws {
    self.init(
      recipient: try keyring.requireUpstreamHPKEKey(),
      device: keyFingerprint(keyring.deviceKey.publicKey.rawRepresentation))
  }
}
