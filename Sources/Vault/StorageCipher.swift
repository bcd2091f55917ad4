// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// Encrypts local rows with the keyring's storage key (ChaChaPoly). A sealed row is
/// `1 | key id (4 bytes, big-endian) | nonce | ciphertext | tag`, and is bound to its table and
/// row id (associated data), so a row cannot be moved to another.
struct StorageCipher: Sendable {
  let keys: [UInt32: SymmetricKey]
  let currentID: UInt32

  init(keyring: Keyring) {
    keys = keyring.storageKeys
    currentID = keyring.currentStorageKeyID
  }

  func seal(_ plaintext: Data, binding: Data) throws -> Data {
    var out = Data([1])
    withUnsafeBytes(of: currentID.bigEndian) { out.append(contentsOf: $0) }
    do {
      out.append(try ChaChaPoly.seal(plaintext, using: keys[currentID]!, authenticating: binding).combined)
    } catch {
      throw VaultError(.crypto, "Encrypting a row failed.", cause: error)
    }
    return out
  }

  func open(_ sealed: Data, binding: Data) throws -> Data {
    guard sealed.count > 5, sealed.first == 1 else {
      throw VaultError(.corruptRow, "A stored row has an unknown encryption format; the database may be damaged.")
    }
    let id = keyID(of: sealed)!
    guard let key = keys[id] else {
      throw VaultError(
        .corruptRow,
        "A stored row was encrypted with storage key \(id), which is not in the keyring; restore the key file.")
    }
    do {
      return try ChaChaPoly.open(
        ChaChaPoly.SealedBox(combined: sealed.dropFirst(5)), using: key, authenticating: binding)
    } catch {
      throw VaultError(
        .corruptRow, "A stored row failed authentication; the database was damaged or altered.", cause: error)
    }
  }

  func keyID(of sealed: Data) -> UInt32? {
    guard sealed.count > 5 else { return nil }
    return sealed.dropFirst().prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
  }
}
