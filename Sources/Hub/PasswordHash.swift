// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import _CryptoExtras

/// A reviewer's password, hashed: `pbkdf2-sha256$ROUNDS$SALT$HASH` (salt and hash base64).
public struct PasswordHash: Sendable, Equatable {
  /// PBKDF2 rounds.
  public var rounds: Int
  /// Random salt.
  public var salt: Data
  /// The derived key.
  public var hash: Data

  /// The rounds new hashes use (OWASP's minimum for PBKDF2-SHA256).
  public static let defaultRounds = 210_000

  /// Hashes a password with a fresh salt.
  public init(password: String, rounds: Int = defaultRounds) throws {
    self.rounds = rounds
    salt = Data((0..<16).map { _ in UInt8.random(in: 0...255) })
    hash = try Self.derive(password, salt: salt, rounds: rounds)
  }

  /// A hash from its parts.
  init(rounds: Int, salt: Data, hash: Data) {
    self.rounds = rounds
    self.salt = salt
    self.hash = hash
  }

  /// Parses the encoded form.
  public init?(encoded: String) {
    let parts = encoded.split(separator: "$", omittingEmptySubsequences: false)
    guard parts.count == 4, parts[0] == "pbkdf2-sha256", let rounds = Int(parts[1]), rounds >= Self.defaultRounds,
      let salt = Data(base64Encoded: String(parts[2])), let hash = Data(base64Encoded: String(parts[3])),
      salt.count >= 8, hash.count == 32
    else { return nil }
    self.rounds = rounds
    self.salt = salt
    self.hash = hash
  }

  /// The encoded form, for the configuration file.
  public var encoded: String { "pbkdf2-sha256$\(rounds)$\(salt.base64EncodedString())$\(hash.base64EncodedString())" }

  /// Whether `password` matches (constant-time comparison).
  public func matches(_ password: String) -> Bool {
    guard let derived = try? Self.derive(password, salt: salt, rounds: rounds), derived.count == hash.count else {
      return false
    }
    return zip(derived, hash).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
  }

  static func derive(_ password: String, salt: Data, rounds: Int) throws -> Data {
    let key = try KDF.Insecure.PBKDF2.deriveKey(
      from: Data(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, rounds: rounds)
    return key.withUnsafeBytes { Data($0) }
  }
}
