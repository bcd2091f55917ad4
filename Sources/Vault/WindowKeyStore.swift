// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Synchronization
import Wire

/// One enforcement window: chalk marks made in it are hashed with its own key, and the key
/// (with the marks) is destroyed once the window can no longer produce a candidate.
public struct ChalkWindow: Hashable, Sendable {
  /// The window's id, chosen by enforcement (for example `2026-03-02.morning`). It becomes part of a
  /// file name, so it is limited to letters, digits, `.`, `_` and `-` (1–64 characters).
  public let id: String
  /// When the window can no longer produce a candidate: its key and chalk marks are destroyed then.
  public let expiresAt: Date

  /// Creates a window, refusing an id that is not safe in a file name.
  public init(id: String, expiresAt: Date) throws {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")
    guard (1...64).contains(id.count), id.allSatisfy({ allowed.contains($0) }), id.first != "." else {
      throw VaultError(
        .badWindowID, "Chalk window id \"\(id)\" is not usable: use 1–64 letters, digits, '.', '_' or '-'.")
    }
    self.id = id
    self.expiresAt = expiresAt
  }
}

/// Hashes plate text under one window's key. The text is used and dropped: it is never stored.
public struct PlateHasher: Sendable {
  /// The window this hasher belongs to.
  public let window: ChalkWindow
  let key: SymmetricKey

  /// The keyed hash of one plate reading in its canonical form (``PlateCanonicalForm``), so that
  /// `7abc-1o3` and `7ABC103` hash alike, on the vehicle and in the hub's permit list.
  public func hash(_ plateText: String) -> PlateHash {
    PlateHash(plateText: plateText, key: key)
  }

  /// The keyed hashes of several alternatives, in order, without duplicates.
  public func hashes(_ alternatives: [String]) -> [PlateHash] {
    var seen = Set<PlateHash>()
    return alternatives.map(hash).filter { seen.insert($0).inserted }
  }
}

/// The per-window HMAC keys, cached in memory. On disk each key is a row of `window_key` sealed
/// with the storage key, so that it is deleted in the very transaction that deletes its window's
/// row and chalk marks: after a crash at any instant the key and its marks are both there or
/// both gone (`docs/forgetting.md`). Keys kept as files before (`STATE/keys/window-ID.key`) are
/// moved into the database and their files destroyed when the vault opens.
final class WindowKeyStore: Sendable {
  private let cache = Mutex<[String: (key: SymmetricKey, expiresAtMS: Int64)]>([:])

  /// The window's key from the cache, or from `load` (which registers or extends the window and
  /// reads or creates its key in one transaction) when the window is new or its expiry moves out.
  func key(for id: String, expiresAtMS: Int64, load: () throws -> SymmetricKey) throws -> SymmetricKey {
    // The lock is held across the database write only when a window is first used or extended:
    // it keeps a close from racing a creation.
    try cache.withLock { cached in
      if let entry = cached[id], entry.expiresAtMS >= expiresAtMS { return entry.key }
      let key = try load()
      cached[id] = (key, max(expiresAtMS, cached[id]?.expiresAtMS ?? .min))
      return key
    }
  }

  /// Runs `body` (the transaction that deletes windows) under the lock, then forgets the keys of
  /// the windows it reports closed.
  func closing<T>(_ body: () throws -> (T, [String])) throws -> T {
    try cache.withLock { cached in
      let (result, closed) = try body()
      for id in closed { cached.removeValue(forKey: id) }
      return result
    }
  }

  /// The ids of windows whose key is cached (in memory only).
  var cachedWindowIDs: [String] { cache.withLock { Array($0.keys) } }

  /// Seals a window key for its row; bound to the window id so a row cannot be moved.
  static func seal(_ key: SymmetricKey, window id: String, _ cipher: StorageCipher) throws -> Data {
    try cipher.seal(key.bytes, binding: binding(id))
  }

  static func open(_ sealed: Data, window id: String, _ cipher: StorageCipher) throws -> SymmetricKey {
    let bytes = try cipher.open(sealed, binding: binding(id))
    guard bytes.count == 32 else { throw VaultError(.corruptRow, "The key of chalk window \(id) is damaged.") }
    return SymmetricKey(data: bytes)
  }

  static func binding(_ id: String) -> Data { Data("chalkline-window-key\u{0}\(id)".utf8) }

  /// The ids of windows that still have a key file of the old layout in `directory`.
  static func legacyKeyFiles(in directory: URL) throws -> [(id: String, path: String)] {
    try SecureFiles.list(directory.path).compactMap { name in
      guard name.hasPrefix("window-"), name.hasSuffix(".key") else { return nil }
      return (
        String(name.dropFirst("window-".count).dropLast(".key".count)), directory.appendingPathComponent(name).path
      )
    }
  }
}

/// Which of a chalk mark's candidates an id is for: a mark yields at most one of each.
public enum CandidatePurpose: String, Sendable, CaseIterable {
  /// The stay the mark chalks became a candidate (overstay or permit; a mark is flagged once).
  case stay
  /// The car came back too soon after the mark's stay (no-return; the mark ends then).
  case noReturn = "no_return"
}

extension PlateHasher {
  /// The id a candidate formed from chalk mark `mark` of this window takes, for `purpose`:
  /// derived under the window's key, so it is fixed when the mark's first evidence is sealed for
  /// it (format v3), is the same after a restart, is in the database nowhere in the clear, and can
  /// no longer be computed once the window's key is destroyed. Domain-separated from the plate
  /// hashes (a plate's canonical form has no `\0`).
  public func candidateID(mark: UUID, for purpose: CandidatePurpose) -> UUID {
    var message = Data("chalkline-candidate-v1\u{0}".utf8)
    message.append(contentsOf: purpose.rawValue.utf8)
    message.append(0)
    message.append(mark.bytes)
    var bytes = [UInt8](HMAC<SHA256>.authenticationCode(for: message, using: key).prefix(16))
    bytes[6] = bytes[6] & 0x0F | 0x80  // version 8 (RFC 9562: custom)
    bytes[8] = bytes[8] & 0x3F | 0x80  // variant 10
    return UUID(
      uuid: (
        bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7], bytes[8], bytes[9], bytes[10],
        bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
      ))
  }
}
