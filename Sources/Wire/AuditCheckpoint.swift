// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// A signed statement of the hub's access audit: how many entries it held and the last one's
/// hash, at a time, signed with the hub's audit key (Ed25519). The privacy officer keeps them
/// (`chalkline-hub audit-checkpoints`), and vehicles get the newest at every sync
/// (`GET /v1/audit-checkpoint`) and keep them too, so the hub's audit has witnesses off the hub;
/// `chalkline-hub audit-verify --checkpoint FILE` checks the audit against any of those copies.
/// One JSON object (snake-case keys).
public struct AuditCheckpoint: Codable, Sendable, Equatable {
  /// Format version (1).
  public var version: Int
  /// Entries the audit held (the checkpoint covers entries 1…sequence).
  public var sequence: Int
  /// The hash of entry `sequence` (empty when the audit was empty).
  public var head: String
  /// When (ISO 8601 UTC).
  public var at: String
  /// Why it was written: `start`, `hourly` or `on demand`.
  public var reason: String
  /// The hub's audit public key (Ed25519, base64) that signed it.
  public var publicKey: String
  /// The Ed25519 signature (base64) of the length-prefixed version, sequence, head, time and reason.
  public var signature: String

  /// Creates a checkpoint from its fields (`signed` makes a new one).
  public init(
    version: Int, sequence: Int, head: String, at: String, reason: String, publicKey: String, signature: String
  ) {
    self.version = version
    self.sequence = sequence
    self.head = head
    self.at = at
    self.reason = reason
    self.publicKey = publicKey
    self.signature = signature
  }

  /// The bytes of `fields`, each as an 8-byte big-endian length and its UTF-8 bytes, so that no
  /// field can shift into another (the audit chain hashes its entries the same way).
  public static func lengthPrefixed(_ fields: [String]) -> Data {
    var data = Data()
    for field in fields {
      let bytes = Data(field.utf8)
      withUnsafeBytes(of: UInt64(bytes.count).bigEndian) { data.append(contentsOf: $0) }
      data.append(bytes)
    }
    return data
  }

  /// The signed bytes.
  static func message(sequence: Int, head: String, at: String, reason: String) -> Data {
    lengthPrefixed(["chalkline-hub audit checkpoint v1", String(sequence), head, at, reason])
  }

  /// Signs a checkpoint.
  public static func signed(
    sequence: Int, head: String, at: Date, reason: String, key: Curve25519.Signing.PrivateKey
  ) throws -> AuditCheckpoint {
    let stamp = UTCTime.format(at)
    let signature = try key.signature(for: message(sequence: sequence, head: head, at: stamp, reason: reason))
    return AuditCheckpoint(
      version: 1, sequence: sequence, head: head, at: stamp, reason: reason,
      publicKey: key.publicKey.rawRepresentation.base64EncodedString(), signature: signature.base64EncodedString())
  }

  /// Whether the signature verifies with `key` (the hub's audit public key as the officer or the
  /// vehicle knows it) and the checkpoint names that key.
  public func isValid(for key: Curve25519.Signing.PublicKey) -> Bool {
    guard version == 1, publicKey == key.rawRepresentation.base64EncodedString(),
      let signature = Data(base64Encoded: signature)
    else { return false }
    return key.isValidSignature(signature, for: Self.message(sequence: sequence, head: head, at: at, reason: reason))
  }

  /// The checkpoint as one line of JSON (snake_case keys, sorted).
  public func jsonLine() throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    return String(decoding: try encoder.encode(self), as: UTF8.self)
  }

  /// Reads one checkpoint from its JSON line.
  public static func decode(line: some StringProtocol) throws -> AuditCheckpoint {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return try decoder.decode(AuditCheckpoint.self, from: Data(line.utf8))
  }
}
