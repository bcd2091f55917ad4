// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// Seals evidence to the upstream's HPKE key. Pure computation: safe on any thread.
///
/// Format v3 (what the agent seals) binds each evidence to the sealing device and to the candidate
/// it is sent in, cryptographically: the pictures and readings are encrypted once under a random
/// data key (ChaCha20-Poly1305), and the data key is sealed with HPKE to the upstream once for each
/// candidate the evidence may become part of, with the device id and that candidate id in both the
/// HPKE `info` and the associated data (length-prefixed). Evidence is sealed when its sighting is
/// made, usually long before the candidate exists (the first sighting of a chalk mark), and the
/// vehicle cannot open it again to seal it anew, so the candidate ids are fixed at sealing time: a
/// chalk mark's candidates take ids derived from the mark under its window's key
/// (`PlateHasher.candidateID`), one for the stay it chalks (overstay or permit; a mark is flagged
/// once) and one for a return too soon after it (no-return; the mark ends then). A candidate sends
/// the binding for its own id (`SealedEvidence.bound(to:)`); the upstream opens it only with the
/// device and candidate it expects, so evidence moved into another candidate, or presented as
/// another device's, does not open. The data key exists only in memory during `seal`.
///
/// v2 sealed the device id inside the ciphertext (HPKE `info` `chalkline evidence v2`) and bound
/// the candidate only through the signed manifest; v1 bound neither. Both still open
/// (`EvidenceOpener.open(_:)`) for evidence sealed before v3.
public struct EvidenceSealer: Sendable {
  let recipient: Curve25519.KeyAgreement.PublicKey
  /// The sealing device's id (its key fingerprint); nil seals the unbound v1 format (tests of the
  /// old format only).
  let device: String?

  /// A sealer for a given recipient key (the upstream's, or a test's), bound to `device` (the id
  /// its manifests name; nil for the unbound v1 format).
  public init(recipient: Curve25519.KeyAgreement.PublicKey, device: String? = nil) {
    self.recipient = recipient
    self.device = device
  }

  /// Seals the capture in format v3 for each of `candidates` (at least one; the device must be
  /// set). The plaintext and the data key exist only in memory for the duration of this call.
  public func seal(_ capture: EvidenceCapture, id: UUID = UUID(), for candidates: [UUID]) throws -> SealedEvidence {
    guard let device, !candidates.isEmpty else {
      throw WireError(
        .invalidArgument, "Evidence \(id) is sealed in format v3 for a device and at least one candidate.")
    }
    let header = Self.header(capture, id: id)
    do {
      let dataKey = SymmetricKey(size: .bits256)
      let pictures = try ChaChaPoly.seal(
        EvidencePayload.encode(capture, device: device), using: dataKey,
        authenticating: header.associatedData(device: device, candidate: nil)
      ).combined
      var bindings: [EvidenceBinding] = []
      for candidate in candidates where !bindings.contains(where: { $0.candidate == candidate }) {
        var sender = try HPKE.Sender(
          recipientKey: recipient, ciphersuite: SealedEvidence.suite,
          info: SealedEvidence.info(device: device, candidate: candidate))
        let wrapped = try dataKey.withUnsafeBytes {
          try sender.seal(Data($0), authenticating: header.associatedData(device: device, candidate: candidate))
        }
        bindings.append(
          EvidenceBinding(candidate: candidate, encapsulatedKey: sender.encapsulatedKey, wrappedKey: wrapped))
      }
      return SealedEvidence(
        id: id, capturedAt: header.capturedAt, plateSHA256: capture.plateSHA256, vehicleSHA256: capture.vehicleSHA256,
        encapsulatedKey: Data(), ciphertext: pictures, bindings: bindings)
    } catch {
      throw WireError(.crypto, "Sealing evidence to the upstream key failed.", cause: error)
    }
  }

  /// Seals the capture in the format before v3: v2 (device id sealed with the pictures; the
  /// candidate bound only by the manifest) or, without a device, v1. For tests of the transition
  /// and of the vault's storage, which the candidate ids do not concern.
  public func seal(_ capture: EvidenceCapture, id: UUID = UUID()) throws -> SealedEvidence {
    let header = Self.header(capture, id: id)
    do {
      var sender = try HPKE.Sender(
        recipientKey: recipient, ciphersuite: SealedEvidence.suite, info: SealedEvidence.info(bound: device != nil))
      let ciphertext = try sender.seal(
        EvidencePayload.encode(capture, device: device), authenticating: header.associatedData)
      return SealedEvidence(
        id: id, capturedAt: header.capturedAt, plateSHA256: capture.plateSHA256, vehicleSHA256: capture.vehicleSHA256,
        encapsulatedKey: sender.encapsulatedKey, ciphertext: ciphertext)
    } catch {
      throw WireError(.crypto, "Sealing evidence to the upstream key failed.", cause: error)
    }
  }

  /// The header fields (id, time, digests) of the evidence to be sealed. Times are kept to the
  /// millisecond, so the sealed header round-trips through the database.
  static func header(_ capture: EvidenceCapture, id: UUID) -> SealedEvidence {
    SealedEvidence(
      id: id, capturedAt: Date(millisecondsSince1970: capture.capturedAt.millisecondsSince1970),
      plateSHA256: capture.plateSHA256, vehicleSHA256: capture.vehicleSHA256, encapsulatedKey: Data(),
      ciphertext: Data())
  }
}
