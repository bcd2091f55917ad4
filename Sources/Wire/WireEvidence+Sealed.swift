// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

extension WireEvidence {
  /// The wire form of sealed evidence.
  public init(sealed: SealedEvidence) {
    self.init(
      id: sealed.id, capturedAt: sealed.capturedAt, plateSha256: sealed.plateSHA256,
      vehicleSha256: sealed.vehicleSHA256, encapsulatedKey: sealed.encapsulatedKey, ciphertext: sealed.ciphertext)
  }

  /// The sealed form, to open it at the hub (`EvidenceOpener`).
  public var sealed: SealedEvidence {
    SealedEvidence(
      id: id, capturedAt: capturedAt, plateSHA256: plateSha256, vehicleSHA256: vehicleSha256,
      encapsulatedKey: encapsulatedKey, ciphertext: ciphertext)
  }
}
