// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// A place at the curb: where a car was seen parked, with the uncertainty of that position.
public struct CurbPosition: Sendable, Equatable, Codable {
  /// Latitude, degrees (WGS 84).
  public var latitude: Double
  /// Longitude, degrees (WGS 84).
  public var longitude: Double
  /// Radius of the 95 % uncertainty circle, metres.
  public var uncertaintyMeters: Double

  /// Creates a position.
  public init(latitude: Double, longitude: Double, uncertaintyMeters: Double) {
    self.latitude = latitude
    self.longitude = longitude
    self.uncertaintyMeters = uncertaintyMeters
  }
}

/// A digital chalk mark: a car first seen at a place and time, known only by the keyed hashes of
/// its plate alternatives under its window's key. Stored encrypted with the storage key.
public struct ChalkMark: Sendable, Equatable {
  /// The mark's id.
  public let id: UUID
  /// The enforcement window (and so the hashing key) the mark belongs to.
  public let windowID: String
  /// Keyed hashes of each canonical plate alternative.
  public let plateHashes: [PlateHash]
  /// The curb zone the car was parked in.
  public let zoneID: String
  /// Where the car was parked.
  public let position: CurbPosition
  /// When the car was first seen there.
  public let firstSeen: Date
  /// When the car was last seen there.
  public var lastSeen: Date
  /// The sealed evidence of the first sighting.
  public let evidenceID: UUID
  /// The read confidence of each alternative, in the order of `plateHashes` (empty for marks
  /// stored before confidences were kept).
  public var confidences: [Double]
  /// The curb policy the mark counts under, when the ledger named one.
  public var policyID: String?
  /// What the mark counts towards (`timed` or `permit`), when the ledger named it.
  public var kind: String?
  /// Whether this stay was already reported as a candidate (a stay is flagged once).
  public var flagged: Bool

  /// Creates a mark. Times are kept to the millisecond.
  public init(
    id: UUID = UUID(), windowID: String, plateHashes: [PlateHash], zoneID: String, position: CurbPosition,
    firstSeen: Date, lastSeen: Date, evidenceID: UUID, confidences: [Double] = [], policyID: String? = nil,
    kind: String? = nil, flagged: Bool = false
  ) {
    self.confidences = confidences
    self.policyID = policyID
    self.kind = kind
    self.flagged = flagged
    self.id = id
    self.windowID = windowID
    self.plateHashes = plateHashes
    self.zoneID = zoneID
    self.position = position
    self.firstSeen = Date(millisecondsSince1970: firstSeen.millisecondsSince1970)
    self.lastSeen = Date(millisecondsSince1970: lastSeen.millisecondsSince1970)
    self.evidenceID = evidenceID
  }
}

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
/// the ledger needs to be rebuilt after a restart; version 1 rows still read.
enum ChalkMarkPayload {
  static func encode(_ mark: ChalkMark) -> Data {
    var writer = BinaryWriter()
    writer.byte(2)
    writer.byte(UInt8(mark.plateHashes.count))
    for hash in mark.plateHashes { writer.bytes(hash.bytes) }
    writer.string(mark.zoneID)
    writer.double(mark.position.latitude)
    writer.double(mark.position.longitude)
    writer.double(mark.position.uncertaintyMeters)
    writer.int64(mark.firstSeen.millisecondsSince1970)
    writer.int64(mark.lastSeen.millisecondsSince1970)
    writer.byte(UInt8(mark.confidences.count))
    for confidence in mark.confidences { writer.double(confidence) }
    writer.string(mark.policyID ?? "")
    writer.string(mark.kind ?? "")
    writer.byte(mark.flagged ? 1 : 0)
    return writer.data
  }

  static func decode(_ data: Data, id: UUID, windowID: String, evidenceID: UUID) throws -> ChalkMark {
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
      latitude: try reader.double(), longitude: try reader.double(), uncertaintyMeters: try reader.double())
    let first = Date(millisecondsSince1970: try reader.int64())
    let last = Date(millisecondsSince1970: try reader.int64())
    var mark = ChalkMark(
      id: id, windowID: windowID, plateHashes: hashes, zoneID: zone, position: position, firstSeen: first,
      lastSeen: last, evidenceID: evidenceID)
    guard version >= 2 else { return mark }
    let confidences = Int(try reader.byte())
    for _ in 0..<confidences { mark.confidences.append(try reader.double()) }
    let policy = try reader.string()
    let kind = try reader.string()
    mark.policyID = policy.isEmpty ? nil : policy
    mark.kind = kind.isEmpty ? nil : kind
    mark.flagged = try reader.byte() != 0
    return mark
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
