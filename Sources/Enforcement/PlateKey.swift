// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Names one hashing key of the vault's keyring: a chalk window, or the permit list's key.
///
/// Enforcement never holds key material. It only says which window a time belongs to
/// (``KeyWindowSchedule``) so that the caller hashes with the right key.
public struct KeyWindowID: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
  /// The identifier, such as `chalk-2026-03-02` or `permits`.
  public var rawValue: String
  /// Creates a window identifier.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }
  public static func < (lhs: KeyWindowID, rhs: KeyWindowID) -> Bool { lhs.rawValue < rhs.rawValue }
  public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}

/// A keyed hash of one canonical plate reading, made by the vault with the key of one window.
///
/// The bytes are opaque here: two keys are equal when the window and the bytes are equal, and
/// that is all the ledger ever asks of them. Plate text never reaches Enforcement.
///
/// How the caller makes one (the contract the vault implements):
/// 1. Canonicalize the reading with ``PlateCanonicalForm/canonical(_:)`` (upper case, no spaces or
///    dashes, `O`→`0`, `I`→`1`, `Q`→`0`), so that readings a camera cannot tell apart hash alike.
/// 2. HMAC it with the key of the window (`KeyWindowID`) and keep the window beside the bytes.
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
