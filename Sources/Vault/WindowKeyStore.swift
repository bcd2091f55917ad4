// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Synchronization

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

/// A keyed hash (HMAC-SHA256 under a window's key) of one canonical plate alternative.
public struct PlateHash: Hashable, Sendable, CustomStringConvertible {
  /// The 32 bytes of the HMAC.
  public let bytes: Data

  /// Wraps stored bytes.
  public init(bytes: Data) { self.bytes = bytes }

  /// A short prefix, never enough to link marks across windows (the key differs).
  public var description: String { "PlateHash(" + bytes.prefix(4).map { String(format: "%02x", $0) }.joined() + "…)" }
}

/// Hashes plate text under one window's key. The text is used and dropped: it is never stored.
public struct PlateHasher: Sendable {
  /// The window this hasher belongs to.
  public let window: ChalkWindow
  let key: SymmetricKey

  /// The keyed hash of one canonical plate alternative. Letter case, spaces and dashes are
  /// ignored so that `7abc-123` and `7ABC123` hash alike.
  public func hash(_ plateText: String) -> PlateHash {
    var message = Data("chalkline-plate-v1\u{0}".utf8)
    message.append(contentsOf: plateText.uppercased().filter { $0 != " " && $0 != "-" }.utf8)
    return PlateHash(bytes: Data(HMAC<SHA256>.authenticationCode(for: message, using: key)))
  }

  /// The keyed hashes of several alternatives, in order, without duplicates.
  public func hashes(_ alternatives: [String]) -> [PlateHash] {
    var seen = Set<PlateHash>()
    return alternatives.map(hash).filter { seen.insert($0).inserted }
  }
}

/// The per-window HMAC keys: files `STATE/keys/window-ID.key`, cached in memory.
final class WindowKeyStore: Sendable {
  let directory: URL
  private let cache = Mutex<[String: (key: SymmetricKey, expiresAtMS: Int64)]>([:])

  init(directory: URL) { self.directory = directory }

  func path(_ id: String) -> String { directory.appendingPathComponent("window-\(id).key").path }

  /// The window's key, read from its file or created (durably) when there is none. `register`
  /// (which records the window and its expiry in the database) runs before the file is created,
  /// and again whenever a later call pushes the window's expiry further out.
  func key(for id: String, expiresAtMS: Int64, register: () throws -> Void) throws -> SymmetricKey {
    // The lock is held across file and database I/O only when a window is first used or extended:
    // it keeps two threads from creating two keys for one window, and the sweep from racing a creation.
    try cache.withLock { cached in
      if let entry = cached[id], entry.expiresAtMS >= expiresAtMS { return entry.key }
      try register()
      if let entry = cached[id] {
        cached[id] = (entry.key, expiresAtMS)
        return entry.key
      }
      let path = path(id)
      let key: SymmetricKey
      if FileManager.default.fileExists(atPath: path) {
        let bytes = try KeyFile.read(.window, at: path)
        guard bytes.count == 32 else { throw VaultError(.badKeyFile, "\(path) is not a 256-bit key.") }
        key = SymmetricKey(data: bytes)
      } else {
        key = SymmetricKey(size: .bits256)
        try KeyFile.write(.window, key.bytes, to: path)
      }
      cached[id] = (key, expiresAtMS)
      return key
    }
  }

  /// Destroys every key whose window is not in `live` (read under the lock): forgets it,
  /// overwrites the file and removes it. Returns the ids destroyed.
  func sweep(live: () throws -> Set<String>) throws -> [String] {
    try cache.withLock { cached in
      let keep = try live()
      var destroyed: [String] = []
      for id in try storedWindowIDs() where !keep.contains(id) {
        cached.removeValue(forKey: id)
        try SecureFiles.destroy(path(id))
        destroyed.append(id)
      }
      for id in cached.keys where !keep.contains(id) { cached.removeValue(forKey: id) }
      return destroyed
    }
  }

  /// The ids of windows that have a key file.
  func storedWindowIDs() throws -> [String] {
    try SecureFiles.list(directory.path).compactMap { name in
      guard name.hasPrefix("window-"), name.hasSuffix(".key") else { return nil }
      return String(name.dropFirst("window-".count).dropLast(".key".count))
    }
  }
}
