// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// The body of the `permits` document: the residential permit list as a vehicle may hold it.
///
/// No plate text: per user class and validity, the keyed hashes (HMAC-SHA-256 with the list's
/// permit key, cut to ``hashLength`` bytes) of the canonical plates. The hub makes a new random
/// permit key at every publication and seals it (HPKE, X25519) to each registered device's key
/// agreement key (``DeviceKeyAgreement``), so the document is useless to whoever holds no
/// registered device key, and a list published after a device was dropped is closed to it.
public struct PermitsDocument: Codable, Sendable, Equatable {
  /// One device's copy of the permit key.
  public struct SealedKey: Codable, Sendable, Equatable {
    /// The device id (its signing key's fingerprint, as the hub registers it).
    public var device: String
    /// HPKE encapsulated key (32 bytes) then ciphertext of the 32-byte permit key.
    public var sealed: Data
    /// Creates a sealed key.
    public init(device: String, sealed: Data) {
      self.device = device
      self.sealed = sealed
    }
  }

  /// The permits of one class with one validity.
  public struct Group: Codable, Sendable, Equatable {
    /// The user class, as zones name it (`permit R`).
    public var userClass: String
    /// First local date the permits count on (`YYYY-MM-DD`, the zones' time zone), inclusive.
    public var validFrom: String
    /// Last local date, inclusive.
    public var validTo: String
    /// The hashes, ``hashLength`` bytes each, concatenated and sorted.
    public var hashes: Data
    /// Creates a group.
    public init(userClass: String, validFrom: String, validTo: String, hashes: Data) {
      self.userClass = userClass
      self.validFrom = validFrom
      self.validTo = validTo
      self.hashes = hashes
    }
  }

  /// Bytes kept of each keyed hash: 128 bits make a false match (which could only exempt a car)
  /// vanishingly rare, and 100,000 permits fit in about 2 MB.
  public static let hashLength = 16
  /// The format tag.
  public static let formatName = "chalkline-permits-v1"
  static let info = Data("chalkline permit key v1".utf8)

  /// `chalkline-permits-v1`.
  public var format: String
  /// The id of this publication's permit key, also the key window the vehicle hashes readings
  /// under (`permits-` and 16 hex digits).
  public var keyWindow: String
  /// An id of the imported list (changes at each import): the hub republishes only when it or
  /// the registered devices changed.
  public var listTag: String
  /// Every class the list names: the vehicle classes the agent can observe.
  public var classes: [String]
  /// The permit key, sealed to each registered device.
  public var sealedKeys: [SealedKey]
  /// The permits.
  public var groups: [Group]

  /// Creates a document.
  public init(
    keyWindow: String, listTag: String, classes: [String], sealedKeys: [SealedKey], groups: [Group]
  ) {
    self.format = Self.formatName
    self.keyWindow = keyWindow
    self.listTag = listTag
    self.classes = classes
    self.sealedKeys = sealedKeys
    self.groups = groups
  }

  /// A fresh permit key and its id.
  public static func newKey() -> (key: SymmetricKey, id: String) {
    let key = SymmetricKey(size: .bits256)
    let id = "permits-" + Data((0..<8).map { _ in UInt8.random(in: 0...255) }).hexString
    return (key, id)
  }

  /// The permit key sealed to a device's raw Ed25519 signing key.
  public static func seal(
    _ key: SymmetricKey, keyWindow: String, device: String, signingKey: Data
  ) throws -> SealedKey {
    let recipient = try DeviceKeyAgreement.publicKey(forSigningKey: signingKey)
    var sender = try HPKE.Sender(recipientKey: recipient, ciphersuite: .Curve25519_SHA256_ChachaPoly, info: info)
    let ciphertext = try sender.seal(
      key.withUnsafeBytes { Data($0) }, authenticating: Data("\(keyWindow)\u{0}\(device)".utf8))
    return SealedKey(device: device, sealed: sender.encapsulatedKey + ciphertext)
  }

  /// Opens this publication's permit key with the device's signing key.
  public func openKey(device: String, signing: Curve25519.Signing.PrivateKey) throws -> SymmetricKey {
    guard format == Self.formatName else {
      throw WireError(.badReply, "The permits document is \(format), not \(Self.formatName).")
    }
    guard let mine = sealedKeys.first(where: { $0.device == device }) else {
      throw WireError(
        .badReply,
        "The permits document holds no key sealed to this device (\(device)); is it registered at the hub (chalkline-hub devices add)?"
      )
    }
    guard mine.sealed.count > 32 else {
      throw WireError(.badReply, "The permit key sealed to this device is truncated.")
    }
    do {
      var recipient = try HPKE.Recipient(
        privateKey: DeviceKeyAgreement.privateKey(for: signing), ciphersuite: .Curve25519_SHA256_ChachaPoly,
        info: Self.info, encapsulatedKey: Data(mine.sealed.prefix(32)))
      let key = try recipient.open(
        Data(mine.sealed.dropFirst(32)), authenticating: Data("\(keyWindow)\u{0}\(device)".utf8))
      guard key.count == 32 else { throw WireError(.badReply, "The permit key is not 32 bytes.") }
      return SymmetricKey(data: key)
    } catch let error as WireError { throw error } catch {
      throw WireError(
        .badReply, "The permit key sealed to this device cannot be opened with its key.", cause: error)
    }
  }

  /// The hash a vehicle and the hub both make of a canonical plate: the first ``hashLength``
  /// bytes of its keyed plate hash under the permit key (``PlateHash/init(plateText:key:)``, what
  /// the vault's plate hasher makes).
  public static func hash(canonicalPlate: String, key: SymmetricKey) -> Data {
    Data(PlateHash(plateText: canonicalPlate, key: key).bytes.prefix(hashLength))
  }
}
