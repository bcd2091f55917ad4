// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// The vehicle's long-lived keys, kept as private files (0600) in `STATE/keys` (0700):
/// the device's Ed25519 signing key, the storage keys for local rows, and the upstream's
/// HPKE (X25519) and Ed25519 public keys. Per-window chalk keys live beside them
/// (see `WindowKeyStore`).
public struct Keyring: Sendable {
  /// The keys directory, `STATE/keys`.
  public let directory: URL
  /// The device's signing key: it signs every candidate manifest.
  public let deviceKey: Curve25519.Signing.PrivateKey
  /// Storage keys by id; rows name the key that encrypted them, so a rotation can be resumed.
  let storageKeys: [UInt32: SymmetricKey]
  /// The id of the storage key new rows are encrypted with (the highest).
  let currentStorageKeyID: UInt32
  /// The upstream's HPKE public key: evidence is sealed to it. Nil until imported.
  public let upstreamHPKEKey: Curve25519.KeyAgreement.PublicKey?
  /// The upstream's signing key, to verify what the upstream sends. Nil until imported.
  public let upstreamSigningKey: Curve25519.Signing.PublicKey?

  static let devicePath = "device.key"
  static let upstreamHPKEPath = "upstream-hpke.pub"
  static let upstreamSigningPath = "upstream-signing.pub"

  /// The keys directory inside a state directory.
  public static func keysDirectory(in stateDirectory: URL) -> URL {
    stateDirectory.appendingPathComponent("keys", isDirectory: true)
  }

  /// Creates a new keyring (device key and a first storage key) in `stateDirectory`, creating
  /// the directory (0700) if needed. Refuses when a keyring is already there.
  public static func create(in stateDirectory: URL) throws -> Keyring {
    try SecureFiles.ensureDirectory(stateDirectory.path)
    let keys = keysDirectory(in: stateDirectory)
    try SecureFiles.ensureDirectory(keys.path)
    let device = keys.appendingPathComponent(devicePath).path
    if FileManager.default.fileExists(atPath: device) {
      throw VaultError(
        .keyringExists,
        "A keyring already exists in \(keys.path); use `chalkline keys show` or `chalkline keys rotate`.")
    }
    try KeyFile.write(.storage, SymmetricKey(size: .bits256).bytes, to: storagePath(keys, id: 1).path, exclusive: true)
    try KeyFile.write(.deviceSigning, Curve25519.Signing.PrivateKey().rawRepresentation, to: device, exclusive: true)
    return try load(from: stateDirectory)
  }

  /// Loads the keyring, checking that the state directory, the keys directory and every key
  /// file are private to this user.
  public static func load(from stateDirectory: URL) throws -> Keyring {
    try SecureFiles.checkDirectory(stateDirectory.path)
    let keys = keysDirectory(in: stateDirectory)
    try SecureFiles.checkDirectory(keys.path)
    try SecureFiles.finishDestruction(in: keys.path)
    let names = try SecureFiles.list(keys.path)
    for name in names where !name.hasSuffix(".tmp") {
      try SecureFiles.checkFile(keys.appendingPathComponent(name).path)
    }
    let devicePath = keys.appendingPathComponent(Self.devicePath).path
    guard names.contains(Self.devicePath) else {
      throw VaultError(.keyringMissing, "No device key in \(keys.path); run `chalkline keys init`.")
    }
    let device: Curve25519.Signing.PrivateKey
    do {
      device = try Curve25519.Signing.PrivateKey(rawRepresentation: KeyFile.read(.deviceSigning, at: devicePath))
    } catch let error as VaultError {
      throw error
    } catch {
      throw VaultError(.badKeyFile, "\(devicePath) does not hold a valid Ed25519 key.", cause: error)
    }
    var storage: [UInt32: SymmetricKey] = [:]
    for name in names {
      guard let id = storageKeyID(fileName: name) else { continue }
      let path = keys.appendingPathComponent(name).path
      let bytes = try KeyFile.read(.storage, at: path)
      guard bytes.count == 32 else { throw VaultError(.badKeyFile, "\(path) is not a 256-bit key.") }
      storage[id] = SymmetricKey(data: bytes)
    }
    guard let current = storage.keys.max() else {
      throw VaultError(
        .keyringMissing,
        "No storage key in \(keys.path); restore it from backup or run `chalkline keys init` on an empty state directory."
      )
    }
    let hpke =
      try names.contains(upstreamHPKEPath)
      ? parseHPKE(KeyFile.read(.upstreamHPKE, at: keys.appendingPathComponent(upstreamHPKEPath).path)) : nil
    let signing =
      try names.contains(upstreamSigningPath)
      ? parseSigning(KeyFile.read(.upstreamSigning, at: keys.appendingPathComponent(upstreamSigningPath).path)) : nil
    return Keyring(
      directory: keys, deviceKey: device, storageKeys: storage, currentStorageKeyID: current,
      upstreamHPKEKey: hpke, upstreamSigningKey: signing)
  }

  /// Stores the upstream's public keys (raw 32-byte X25519 and Ed25519 keys), replacing any
  /// earlier ones, and returns the updated keyring.
  public func importingUpstream(hpkePublicKey: Data, signingPublicKey: Data) throws -> Keyring {
    let hpke = try Self.parseHPKE(hpkePublicKey)
    let signing = try Self.parseSigning(signingPublicKey)
    try KeyFile.write(
      .upstreamHPKE, hpke.rawRepresentation, to: directory.appendingPathComponent(Self.upstreamHPKEPath).path)
    try KeyFile.write(
      .upstreamSigning, signing.rawRepresentation, to: directory.appendingPathComponent(Self.upstreamSigningPath).path)
    return Keyring(
      directory: directory, deviceKey: deviceKey, storageKeys: storageKeys, currentStorageKeyID: currentStorageKeyID,
      upstreamHPKEKey: hpke, upstreamSigningKey: signing)
  }

  /// Replaces the device signing key. The old public key is kept as `device-retired-N.pub` so
  /// manifests it signed can still be checked; the upstream must be given the new public key.
  public func rotatingDeviceKey() throws -> Keyring {
    let names = try SecureFiles.list(directory.path)
    let retired = names.filter { $0.hasPrefix("device-retired-") }.count + 1
    try SecureFiles.write(
      Data((deviceKey.publicKey.rawRepresentation.base64EncodedString() + "\n").utf8),
      to: directory.appendingPathComponent("device-retired-\(retired).pub").path)
    let fresh = Curve25519.Signing.PrivateKey()
    try KeyFile.write(
      .deviceSigning, fresh.rawRepresentation, to: directory.appendingPathComponent(Self.devicePath).path)
    return Keyring(
      directory: directory, deviceKey: fresh, storageKeys: storageKeys, currentStorageKeyID: currentStorageKeyID,
      upstreamHPKEKey: upstreamHPKEKey, upstreamSigningKey: upstreamSigningKey)
  }

  /// Adds a new storage key, which becomes current. Rows are re-encrypted by the vault, which
  /// then retires the old keys (`retiringStorageKeys(except:)`).
  func addingStorageKey() throws -> Keyring {
    let id = currentStorageKeyID + 1
    let key = SymmetricKey(size: .bits256)
    try KeyFile.write(.storage, key.bytes, to: Self.storagePath(directory, id: id).path, exclusive: true)
    var keys = storageKeys
    keys[id] = key
    return Keyring(
      directory: directory, deviceKey: deviceKey, storageKeys: keys, currentStorageKeyID: id,
      upstreamHPKEKey: upstreamHPKEKey, upstreamSigningKey: upstreamSigningKey)
  }

  /// Destroys every storage key but the current one.
  func retiringOldStorageKeys() throws -> Keyring {
    for id in storageKeys.keys where id != currentStorageKeyID {
      try SecureFiles.destroy(Self.storagePath(directory, id: id).path)
    }
    return Keyring(
      directory: directory, deviceKey: deviceKey, storageKeys: storageKeys.filter { $0.key == currentStorageKeyID },
      currentStorageKeyID: currentStorageKeyID, upstreamHPKEKey: upstreamHPKEKey, upstreamSigningKey: upstreamSigningKey
    )
  }

  /// The ids of the storage keys on disk (more than one only during a rotation).
  public var storageKeyIDs: [UInt32] { storageKeys.keys.sorted() }

  /// The upstream HPKE key, or an error saying how to import it.
  func requireUpstreamHPKEKey() throws -> Curve25519.KeyAgreement.PublicKey {
    guard let upstreamHPKEKey else {
      throw VaultError(
        .upstreamKeyMissing,
        "The upstream's public keys are not imported, so evidence cannot be sealed; run `chalkline keys import-upstream`."
      )
    }
    return upstreamHPKEKey
  }

  static func storagePath(_ keys: URL, id: UInt32) -> URL {
    keys.appendingPathComponent(String(format: "storage-%08x.key", id))
  }

  static func storageKeyID(fileName: String) -> UInt32? {
    guard fileName.hasPrefix("storage-"), fileName.hasSuffix(".key") else { return nil }
    return UInt32(fileName.dropFirst("storage-".count).dropLast(".key".count), radix: 16)
  }

  static func parseHPKE(_ raw: Data) throws -> Curve25519.KeyAgreement.PublicKey {
    do { return try Curve25519.KeyAgreement.PublicKey(rawRepresentation: raw) } catch {
      throw VaultError(.badKey, "The upstream HPKE key must be a raw 32-byte X25519 public key.", cause: error)
    }
  }

  static func parseSigning(_ raw: Data) throws -> Curve25519.Signing.PublicKey {
    do { return try Curve25519.Signing.PublicKey(rawRepresentation: raw) } catch {
      throw VaultError(.badKey, "The upstream signing key must be a raw 32-byte Ed25519 public key.", cause: error)
    }
  }
}

extension SymmetricKey {
  var bytes: Data { withUnsafeBytes { Data($0) } }
}
