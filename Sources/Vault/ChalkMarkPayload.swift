// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// What happened to a chalk mark offered to the vault.
public enum ChalkMarkOutcome: Sendable, Equatable {
  /// Stored with its evidence.
  case stored
  /// Refused because the vault reached its size quota (counted in `VaultStatus`).
  case refusedQuotaFull
  /// Refused because the state directory's file system has less free space than the vault keeps
  /// in reserve (`VaultConfiguration.reservedFreeBytes`), or is full (counted in `VaultStatus`).
  case refusedDiskFull

  /// Whether the mark was refused (for either reason).
  public var isRefused: Bool { self != .stored }
}

/// The encrypted body of a chalk mark row: hashes, zone, position and times in a compact binary
/// form (version byte, then fields). Version 2 appends the confidences, policy, kind and flag
/// the ledger needs to be rebuilt after a restart. A version 1 row (or one without a policy)
/// cannot be rebuilt: it reads as nil, and retention deletes it with its window.
///
/// The row holds what the ledger's ``ChalkMark`` needs of its first sighting (the hash of each
/// alternative under the mark's own window, their confidences, position and evidence) and only
/// the time of its last: it reads back with the last sighting equal to the first but for its time.
enum ChalkMarkPayload {
  static func encode(_ mark: ChalkMark) throws -> Data {
    guard let position = mark.first.position else {
      throw VaultError(.invalidArgument, "Chalk mark \(mark.id) has no position; the vault keeps placed marks only.")
    }
    let stored = mark.storedAlternatives
    var writer = BinaryWriter()
    writer.byte(2)
    writer.byte(UInt8(stored.count))
    for alternative in stored { writer.bytes(alternative.hash.bytes) }
    writer.string(mark.zone.rawValue)
    writer.double(position.latitude)
    writer.double(position.longitude)
    writer.double(position.uncertainty)
    writer.int64(mark.first.time.millisecondsSince1970)
    writer.int64(mark.last.time.millisecondsSince1970)
    writer.byte(UInt8(stored.count))
    for alternative in stored { writer.double(alternative.confidence) }
    writer.string(mark.policy.rawValue)
    writer.string(mark.kind.rawValue)
    writer.byte(mark.flagged ? 1 : 0)
    return writer.data
  }

  static func decode(_ data: Data, id: UUID, windowID: String, evidenceID: UUID) throws -> ChalkMark? {
    var reader = BinaryReader(data)
    let version = try reader.byte()
    guard version == 1 || version == 2 else {
      throw VaultError(.corruptRow, "Chalk mark \(id) has an unknown format.")
    }
    let count = Int(try reader.byte())
    var hashes: [PlateHash] = []
    for _ in 0..<count { hashes.append(PlateHash(bytes: try reader.bytes())) }
    let zone = try reader.string()
    let position = CurbPosition(
      latitude: try reader.double(), longitude: try reader.double(), uncertainty: try reader.double())
    let first = Date(millisecondsSince1970: try reader.int64())
    let last = Date(millisecondsSince1970: try reader.int64())
    guard version >= 2 else { return nil }
    var confidences: [Double] = []
    for _ in 0..<Int(try reader.byte()) { confidences.append(try reader.double()) }
    let policy = try reader.string()
    let kind = try reader.string()
    let flagged = try reader.byte() != 0
    guard !policy.isEmpty, let kind = ChalkMark.Kind(rawValue: kind) else { return nil }
    return ChalkMark(
      id: id, window: KeyWindowID(windowID), hashes: hashes, confidences: confidences, zone: ZoneID(zone),
      policy: PolicyID(policy), kind: kind, position: position, firstSeen: first, lastSeen: last,
      evidence: evidenceID, flagged: flagged)
  }
}

/// Appends length-prefixed fields to a buffer (big-endian).
struct BinaryWriter {
  var data = Data()

  mutating func byte(_ value: UInt8) { data.append(value) }
  mutating func int64(_ value: Int64) { withUnsafeBytes(of: value.bigEndian) { data.append(contentsOf: $0) } }
  mutating func double(_ value: Double) { int64(Int64(bitPattern: value.bitPattern)) }
  mutating func bytes(_ value: Data) {
    withUnsafeBytes(of: UInt32(value.count).bigEndian) { data.append(contentsOf: $0) }
    data.append(value)
  }
  mutating func string(_ value: String) { bytes(Data(value.utf8)) }
}

/// Reads what `BinaryWriter` wrote, refusing truncated input.
struct BinaryReader {
  let data: [UInt8]
  var offset = 0

  init(_ data: Data) { self.data = [UInt8](data) }

  private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
    guard count >= 0, offset + count <= data.count else {
      throw VaultError(.corruptRow, "A stored record is truncated; the database may be damaged.")
    }
    defer { offset += count }
    return data[offset..<offset + count]
  }

  mutating func byte() throws -> UInt8 { try take(1).first! }
  mutating func int64() throws -> Int64 { Int64(bitPattern: try take(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }) }
  mutating func double() throws -> Double { Double(bitPattern: UInt64(bitPattern: try int64())) }
  mutating func bytes() throws -> Data {
    let count = Int(try take(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    return Data(try take(count))
  }
  mutating func string() throws -> String { String(decoding: try bytes(), as: UTF8.self) }
}
