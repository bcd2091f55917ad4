// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Uplink

/// The hub's own keys, kept in the keys directory (0700, files 0600): the Ed25519 key that signs
/// distributed documents, the X25519 (HPKE) private key that opens sealed evidence, and the
/// audit key (Ed25519) that signs audit checkpoints and from which the audit chain's HMAC key is
/// derived. Only the hub holds them; vehicles seal to the HPKE key's public half.
public struct HubKeys: Sendable {
  /// Signs zones, permits and key documents.
  public let signing: Curve25519.Signing.PrivateKey
  /// Opens sealed evidence.
  public let hpke: Curve25519.KeyAgreement.PrivateKey
  /// Signs audit checkpoints; the audit chain's HMAC key is derived from it.
  public let audit: Curve25519.Signing.PrivateKey

  static let signingFile = "hub-signing.key"
  static let hpkeFile = "hub-hpke.key"
  static let auditFile = "hub-audit.key"

  /// The HMAC key that chains the access audit (HKDF-SHA256 of the audit key).
  public var auditChainKey: SymmetricKey {
    HKDF<SHA256>.deriveKey(
      inputKeyMaterial: SymmetricKey(data: audit.rawRepresentation), info: Data("chalkline-hub audit chain v2".utf8),
      outputByteCount: 32)
  }

  /// The public keys devices import (`chalkline keys import-upstream`).
  public var publicKeys: HubPublicKeys {
    HubPublicKeys(
      hpkePublicKey: hpke.publicKey.rawRepresentation, signingPublicKey: signing.publicKey.rawRepresentation)
  }

  /// Creates new keys in `directory`; refuses to overwrite existing ones.
  public static func create(in directory: String) throws -> HubKeys {
    let manager = FileManager.default
    do {
      try manager.createDirectory(
        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
    } catch {
      throw HubError(.keys, "The keys directory \(directory) cannot be created.", underlying: error)
    }
    for name in [signingFile, hpkeFile, auditFile] where manager.fileExists(atPath: "\(directory)/\(name)") {
      throw HubError(
        .keys, "\(directory)/\(name) already exists; the hub's keys are made once (`chalkline-hub keys show`).")
    }
    let keys = HubKeys(
      signing: Curve25519.Signing.PrivateKey(), hpke: Curve25519.KeyAgreement.PrivateKey(),
      audit: Curve25519.Signing.PrivateKey())
    try write(keys.signing.rawRepresentation, to: "\(directory)/\(signingFile)")
    try write(keys.hpke.rawRepresentation, to: "\(directory)/\(hpkeFile)")
    try write(keys.audit.rawRepresentation, to: "\(directory)/\(auditFile)")
    return keys
  }

  /// Loads the keys, checking that nobody but the owner can read them. A keys directory made
  /// before the audit key existed gets one now (once; the audit then starts its keyed chain).
  public static func load(from directory: String) throws -> HubKeys {
    let auditPath = "\(directory)/\(auditFile)"
    if FileManager.default.fileExists(atPath: "\(directory)/\(signingFile)"),
      !FileManager.default.fileExists(atPath: auditPath)
    {
      try write(Curve25519.Signing.PrivateKey().rawRepresentation, to: auditPath)
    }
    func read(_ name: String) throws -> Data {
      let path = "\(directory)/\(name)"
      guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
        let permissions = attributes[.posixPermissions] as? Int
      else { throw HubError(.keys, "\(path) is missing; run `chalkline-hub keys init --config H` once.") }
      guard permissions & 0o077 == 0 else {
        throw HubError(.keys, "\(path) is readable by others (mode \(String(permissions, radix: 8))); chmod 600 it.")
      }
      guard let text = try? String(contentsOfFile: path, encoding: .utf8),
        let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32
      else { throw HubError(.keys, "\(path) does not hold a base64 32-byte key.") }
      return data
    }
    do {
      return HubKeys(
        signing: try Curve25519.Signing.PrivateKey(rawRepresentation: read(signingFile)),
        hpke: try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: read(hpkeFile)),
        audit: try Curve25519.Signing.PrivateKey(rawRepresentation: read(auditFile)))
    } catch let error as HubError { throw error } catch {
      throw HubError(.keys, "The hub keys in \(directory) are not valid keys.", underlying: error)
    }
  }

  static func write(_ key: Data, to path: String) throws {
    let created = FileManager.default.createFile(
      atPath: path, contents: Data((key.base64EncodedString() + "\n").utf8), attributes: [.posixPermissions: 0o600])
    guard created else { throw HubError(.keys, "\(path) cannot be written.") }
  }
}
