// SPDX-License-Identifier: AGPL-3.0-or-later
import FoundationEssentials

/// A keyed hash of one canonical plate reading, made by the vault with the key of one window.
///
/// The bytes are opaque here: two keys are equal when the window and the bytes are equal, and
/// that is all the ledger ever asks of them. Plate text never reaches Enforcement.
///
/// How the caller makes one (the contract the vault implements):
/// 1. Canonicalize the reading with ``PlateCanonicalForm/canonical(_:)`` (upper case, no separators,
///    `O`→`0`, `I`→`1`, `Q`→`0`), so that readings a camera cannot tell apart hash alike.
/// 2. HMAC it with the key of the window (`KeyWindowID`) and keep the window beside the bytes
///    (the vault's `PlateHasher` makes the ``PlateHash``; ``init(window:hash:)`` pairs them).
public struct PlateKey: Sendable, Hashable, Codable {
  /// The key window whose key made ``bytes``.
  public var window: KeyWindowID
  /// The keyed hash (for example 32 bytes of HMAC-SHA-256).
  public var bytes: [UInt8]

  /// Creates a plate key.
  public init(window: KeyWindowID, bytes: [UInt8]) {
    self.window = window
    self.bytes = bytes
  }

  // The bytes are already a keyed hash, so their first eight spread as well as all of them;
  // hashing every byte was the ledger's hottest path.
  public func hash(into hasher: inout Hasher) {
    var prefix: UInt64 = UInt64(bytes.count)
    for byte in bytes.prefix(8) { prefix = prefix << 8 | UInt64(byte) }
    hasher.combine(prefix)
    hasher.combine(window)
  }

  public static func == (lhs: PlateKey, rhs: PlateKey) -> Bool { lhs.bytes == rhs.bytes && lhs.window == rhs.window }
}

/// A keyed hash (HMAC-SHA256 under one window's key) of one canonical plate, without its window:
/// what the vault stores in a chalk mark row and the hub in a permit list.
public struct PlateHash: Hashable, Sendable, CustomStringConvertible {
  /// The 32 bytes of the HMAC.
  public let bytes: Data

  /// Wraps stored bytes.
  public init(bytes: Data) { self.bytes = bytes }

  /// A short prefix, never enough to link marks across windows (the key differs).
  public var description: String {
    let hex = bytes.prefix(4).map { byte in
      let digits = String(byte, radix: 16)
      return digits.count == 1 ? "0" + digits : digits
    }
    return "PlateHash(" + hex.joined() + "…)"
  }
}

extension PlateKey {
  /// The key of a hash made under `window`'s key.
  public init(window: KeyWindowID, hash: PlateHash) { self.init(window: window, bytes: Array(hash.bytes)) }

  /// The hash without its window.
  public var hash: PlateHash { PlateHash(bytes: Data(bytes)) }
}

/// One of the top-N readings of a plate in a sighting: its keyed hashes and the reader's confidence.
public struct PlateAlternative: Sendable, Hashable, Codable {
  /// The reading hashed under every key the caller was asked for: each open chalk window
  /// (``ChalkLedger/keyWindows(at:)``) and the permit list's window. A reading matches a chalk
  /// mark or a permit when any of these equals one of theirs.
  public var keys: [PlateKey]
  /// The reader's confidence in this reading, 0...1.
  public var confidence: Double

  /// Creates an alternative.
  public init(keys: [PlateKey], confidence: Double) {
    self.keys = keys
    self.confidence = confidence
  }
}
