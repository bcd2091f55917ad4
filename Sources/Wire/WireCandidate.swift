// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// One sighting's sealed evidence on the wire: HPKE (Curve25519_SHA256_ChachaPoly) to the hub's
/// key, holding the plate crop, the vehicle crop and the plate text read. Only the hub can open it,
/// and in format v3 only for this candidate as sealed by its device (`EvidenceSealer`,
/// `docs/hub.md` "Evidence binding").
public struct WireEvidence: Codable, Sendable, Equatable {
  /// The evidence id (named in the signed manifest).
  public var id: UUID
  /// When the pictures were captured (bound into the ciphertext as associated data).
  public var capturedAt: Date
  /// SHA-256 of the plate crop JPEG, taken at capture.
  public var plateSha256: Data
  /// SHA-256 of the vehicle crop JPEG, taken at capture.
  public var vehicleSha256: Data
  /// The HPKE encapsulated key (v3: of the binding for this candidate).
  public var encapsulatedKey: Data
  /// The HPKE ciphertext (v3: the data key sealed for this candidate, 48 bytes, then the pictures
  /// under that key).
  public var ciphertext: Data

  /// Creates sealed evidence for the wire.
  public init(
    id: UUID, capturedAt: Date, plateSha256: Data, vehicleSha256: Data, encapsulatedKey: Data, ciphertext: Data
  ) {
    self.id = id
    self.capturedAt = capturedAt
    self.plateSha256 = plateSha256
    self.vehicleSha256 = vehicleSha256
    self.encapsulatedKey = encapsulatedKey
    self.ciphertext = ciphertext
  }
}

/// A violation candidate on the wire: the manifest bytes exactly as the device signed them, the
/// device's Ed25519 signature over those bytes, and the sealed evidence of every sighting. The
/// plate text travels only inside the sealed evidence.
public struct WireCandidate: Codable, Sendable, Equatable, Identifiable {
  /// The candidate id: the hub's idempotency key.
  public var id: UUID
  /// The signed manifest (canonical JSON, see `WireManifest`), byte for byte.
  public var manifest: Data
  /// Ed25519 signature of `manifest` by the device key.
  public var signature: Data
  /// Sealed evidence, in the manifest's sighting order.
  public var evidence: [WireEvidence]

  /// Creates a wire candidate.
  public init(id: UUID, manifest: Data, signature: Data, evidence: [WireEvidence]) {
    self.id = id
    self.manifest = manifest
    self.signature = signature
    self.evidence = evidence
  }

  /// Bytes this candidate takes in a batch body (for batching by size).
  public var approximateWireSize: Int {
    (manifest.count + signature.count + evidence.reduce(0) { $0 + $1.ciphertext.count + 200 }) * 4 / 3 + 120
  }
}

/// The head of a vehicle's own audit log: its last entry's sequence number and hash (hex).
public struct WireAuditHead: Codable, Sendable, Equatable {
  /// The last entry's sequence number.
  public var sequence: Int
  /// The last entry's hash, hex.
  public var hash: String

  /// Creates a head.
  public init(sequence: Int, hash: String) {
    self.sequence = sequence
    self.hash = hash
  }
}

/// `POST /v1/candidate-batches` body.
public struct CandidateBatch: Codable, Sendable, Equatable {
  /// Protocol version (1).
  public var version: Int
  /// The candidates, oldest first.
  public var candidates: [WireCandidate]
  /// The vehicle's audit head at sending (optional: a hub that does not know it ignores it, one
  /// that does records it, so the vehicle's log cannot be rewritten unseen).
  public var auditHead: WireAuditHead?

  /// Creates a batch.
  public init(version: Int = 1, candidates: [WireCandidate], auditHead: WireAuditHead? = nil) {
    self.version = version
    self.candidates = candidates
    self.auditHead = auditHead
  }
}

/// What the hub did with one candidate of a batch.
public enum CandidateDisposition: String, Codable, Sendable, Equatable {
  /// Verified and stored now.
  case stored
  /// Already held (same id and manifest): stored before, e.g. by a batch whose reply was lost.
  case duplicate
  /// Refused: signature, evidence digests or format wrong. Never stored; the device keeps it.
  case rejected
}

/// The hub's answer for one candidate.
public struct CandidateAcknowledgement: Codable, Sendable, Equatable {
  /// The candidate id.
  public var id: UUID
  /// What happened to it.
  public var disposition: CandidateDisposition
  /// Why it was rejected (a sentence for a technician), when it was.
  public var reason: String?

  /// Creates an acknowledgement.
  public init(id: UUID, disposition: CandidateDisposition, reason: String? = nil) {
    self.id = id
    self.disposition = disposition
    self.reason = reason
  }

  /// Whether the hub holds the candidate, so the device may delete it.
  public var hubHoldsIt: Bool { disposition == .stored || disposition == .duplicate }
}

/// `POST /v1/candidate-batches` answer: one acknowledgement per candidate sent.
public struct BatchAcknowledgement: Codable, Sendable, Equatable {
  /// Protocol version (1).
  public var version: Int
  /// One entry per candidate of the batch.
  public var results: [CandidateAcknowledgement]

  /// Creates a batch acknowledgement.
  public init(version: Int = 1, results: [CandidateAcknowledgement]) {
    self.version = version
    self.results = results
  }
}
