// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// An officer's decision on a candidate, as the `review_decision` table holds it. A corrected
/// plate text is kept only sealed to the hub's HPKE key (`CorrectedText`).
public struct ReviewDecision: Sendable, Equatable {
  /// What the officer decided.
  public enum Outcome: String, Sendable, CaseIterable {
    /// The candidate is a violation as read.
    case accepted
    /// The candidate is not a violation (see `Reason`).
    case rejected
    /// The candidate is a violation of a plate the reader misread; the officer's text replaces it.
    case corrected
  }

  /// Why a candidate was rejected.
  public enum Reason: String, Sendable, CaseIterable {
    /// The plate was misread and the officer cannot tell the right text.
    case misread
    /// The vehicle moved between the sightings.
    case moved
    /// The vehicle has a permit for the zone.
    case hasPermit = "has permit"
    /// Anything else (the note says what).
    case other
  }

  /// The candidate decided on.
  public var candidateID: UUID
  /// The outcome.
  public var outcome: Outcome
  /// The reason, for a rejection.
  public var reason: Reason?
  /// The officer's free-text note (never plate text by policy; shown to other reviewers).
  public var note: String
  /// The corrected plate text sealed to the hub key (`CorrectedText.seal`), for `corrected`.
  public var sealedCorrectedText: Data?
  /// The reviewer's login name.
  public var reviewer: String
  /// When the decision was stored.
  public var decidedAt: Date
  /// When the decision was last exported to the ticketing system.
  public var exportedAt: Date?

  /// Creates a decision.
  public init(
    candidateID: UUID, outcome: Outcome, reason: Reason? = nil, note: String = "", sealedCorrectedText: Data? = nil,
    reviewer: String, decidedAt: Date, exportedAt: Date? = nil
  ) {
    self.candidateID = candidateID
    self.outcome = outcome
    self.reason = reason
    self.note = note
    self.sealedCorrectedText = sealedCorrectedText
    self.reviewer = reviewer
    self.decidedAt = decidedAt
    self.exportedAt = exportedAt
  }
}

/// A corrected plate text sealed with HPKE (X25519, HKDF-SHA256, ChaCha20-Poly1305) to the hub's
/// key and bound to its candidate: the encapsulated key (32 bytes) followed by the ciphertext.
public enum CorrectedText {
  static let info = Data("chalkline corrected plate v1".utf8)

  /// Seals `text` for `candidate` to `recipient`.
  public static func seal(
    _ text: String, candidate: UUID, to recipient: Curve25519.KeyAgreement.PublicKey
  ) throws
    -> Data
  {
    var sender = try HPKE.Sender(
      recipientKey: recipient, ciphersuite: .Curve25519_SHA256_ChachaPoly, info: info)
    let ciphertext = try sender.seal(Data(text.utf8), authenticating: Data(candidate.uuidString.utf8))
    return sender.encapsulatedKey + ciphertext
  }

  /// Opens a sealed text with the hub's private key; fails when it was altered or moved to
  /// another candidate.
  public static func open(
    _ sealed: Data, candidate: UUID, with key: Curve25519.KeyAgreement.PrivateKey
  ) throws
    -> String
  {
    guard sealed.count > 32 else { throw HubError(.evidence, "The corrected text of \(candidate) is truncated.") }
    do {
      var recipient = try HPKE.Recipient(
        privateKey: key, ciphersuite: .Curve25519_SHA256_ChachaPoly, info: info,
        encapsulatedKey: Data(sealed.prefix(32)))
      let plain = try recipient.open(Data(sealed.dropFirst(32)), authenticating: Data(candidate.uuidString.utf8))
      return String(decoding: plain, as: UTF8.self)
    } catch {
      throw HubError(
        .evidence, "The corrected text of \(candidate) cannot be opened with the hub key.", cause: error)
    }
  }
}

/// A plate text as an officer types it: upper case, letters and digits only (spaces and
/// dashes dropped), 1 to 8 characters.
///
/// The text keeps the letters the officer typed, because it is what a citation prints (a real `O`
/// must not become `0` there); ``canonical`` is the plate in the project's one canonical form
/// (``PlateCanonicalForm``), the form any comparison with a reading uses.
public struct TypedPlate: Sendable, Equatable {
  /// The normalised text, as the citation prints it.
  public let text: String

  /// Normalises `raw`; nil when nothing plate-like is left or it is too long.
  public init?(_ raw: String) {
    let canonical = PlateCanonicalForm.canonical(raw)
    let isPlateCharacter = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber) }
    guard !canonical.isEmpty, canonical.count <= 8, canonical.allSatisfy(isPlateCharacter),
      raw.allSatisfy({ isPlateCharacter($0) || $0 == " " || $0 == "-" })
    else { return nil }
    text = raw.uppercased().filter(isPlateCharacter)
  }

  /// The plate in the one canonical form.
  public var canonical: String { PlateCanonicalForm.canonical(text) }
}

/// One row of the review queue: plate-free facts of a pending candidate.
public struct ReviewQueueRow: Sendable, Equatable {
  /// The candidate id.
  public var id: UUID
  /// The device id.
  public var device: String
  /// The rule broken.
  public var rule: String
  /// The zone id.
  public var zone: String
  /// When the hub received it.
  public var receivedAt: Date
  /// When enforcement decided (ISO 8601).
  public var decidedAt: String
  /// Enforced time elapsed, seconds.
  public var elapsedS: Double?
  /// The reader's confidence.
  public var readConfidence: Double?
}

/// A decided candidate ready for the city's ticketing system, still sealed.
public struct DecidedCandidate: Sendable {
  /// The candidate.
  public var candidate: StoredCandidate
  /// The decision.
  public var decision: ReviewDecision
}

extension CodedError.Code where Domain == HubDomain {
  /// The candidate was already decided.
  public static let conflict = Self("conflict")
  /// No purpose, or one the city does not allow, was stated.
  public static let purpose = Self("purpose")
  /// No such candidate.
  public static let notFound = Self("not-found")
}
