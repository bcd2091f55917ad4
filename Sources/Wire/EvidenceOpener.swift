// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// Opens sealed evidence with the upstream's private key (used by the upstream and by tests).
public struct EvidenceOpener: Sendable {
  let privateKey: Curve25519.KeyAgreement.PrivateKey

  /// An opener for the upstream's private key.
  public init(privateKey: Curve25519.KeyAgreement.PrivateKey) { self.privateKey = privateKey }

  /// Opens evidence as candidate `candidate` sent it, sealed by one of `devices` (the candidate's
  /// device and the keys it was re-keyed from): format v3 opens only for that candidate and one of
  /// those devices (`sealedFor` and `sealedBy` of the result name them). Evidence of format v2 or
  /// v1, sealed before v3, opens as `open(_:)` does (`sealedFor` nil): the caller decides whether it
  /// still takes it, and must compare the device a v2 result names.
  public func open(_ sealed: SealedEvidence, candidate: UUID, devices: [String]) throws -> EvidenceCapture {
    let bytes = sealed.ciphertext
    if bytes.count > SealedEvidence.wrappedKeyBytes {
      let wrapped = bytes.prefix(SealedEvidence.wrappedKeyBytes)
      let pictures = bytes.dropFirst(SealedEvidence.wrappedKeyBytes)
      for device in devices {
        let dataKey: SymmetricKey
        do {
          var recipient = try HPKE.Recipient(
            privateKey: privateKey, ciphersuite: SealedEvidence.suite,
            info: SealedEvidence.info(device: device, candidate: candidate), encapsulatedKey: sealed.encapsulatedKey)
          dataKey = SymmetricKey(
            data: try recipient.open(
              wrapped, authenticating: sealed.associatedData(device: device, candidate: candidate)))
        } catch { continue }
        let plaintext: Data
        do {
          plaintext = try ChaChaPoly.open(
            ChaChaPoly.SealedBox(combined: pictures), using: dataKey,
            authenticating: sealed.associatedData(device: device, candidate: nil))
        } catch {
          throw WireError(.crypto, "Evidence \(sealed.id) was altered (its pictures do not open with its key).")
        }
        var capture = try checked(EvidencePayload.decode(plaintext, capturedAt: sealed.capturedAt), sealed)
        guard capture.sealedBy == device else {
          throw WireError(.crypto, "Evidence \(sealed.id) names another device inside than the one it was sealed as.")
        }
        capture.sealedFor = candidate
        return capture
      }
    }
    do { return try open(sealed) } catch {
      throw WireError(
        .crypto,
        "Evidence \(sealed.id) does not open for candidate \(candidate) as sealed by "
          + "\(devices.isEmpty ? "no device" : devices.joined(separator: " or ")) with this key, nor in a format "
          + "before v3.", cause: error)
    }
  }

  /// Opens evidence sealed before format v3 (v2, or v1 sealed before device binding) and checks
  /// both pictures against the digests taken at capture. `sealedBy` of the result names the device
  /// that sealed v2 evidence: compare it with the device the evidence is presented for.
  public func open(_ sealed: SealedEvidence) throws -> EvidenceCapture {
    var plaintext: Data?
    var failure: (any Error)?
    for bound in [true, false] where plaintext == nil {
      do {
        var recipient = try HPKE.Recipient(
          privateKey: privateKey, ciphersuite: SealedEvidence.suite, info: SealedEvidence.info(bound: bound),
          encapsulatedKey: sealed.encapsulatedKey)
        plaintext = try recipient.open(sealed.ciphertext, authenticating: sealed.associatedData)
      } catch { failure = error }
    }
    guard let plaintext else {
      throw WireError(
        .crypto, "Evidence \(sealed.id) cannot be opened with this key or was altered.",
        cause: failure ?? WireError(.crypto, "no HPKE attempt"))
    }
    return try checked(EvidencePayload.decode(plaintext, capturedAt: sealed.capturedAt), sealed)
  }

  private func checked(_ capture: EvidenceCapture, _ sealed: SealedEvidence) throws -> EvidenceCapture {
    guard capture.plateSHA256 == sealed.plateSHA256, capture.vehicleSHA256 == sealed.vehicleSHA256 else {
      throw WireError(.crypto, "Evidence \(sealed.id) does not match the digests taken at capture.")
    }
    return capture
  }
}
