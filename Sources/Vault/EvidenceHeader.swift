// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Wire

/// The sealed header of a stored evidence row: its capture time and the digests of its pictures,
/// kept under the storage key so that a copy of the database alone dates no sighting
/// (`1 | captured_at ms | plate sha256 | vehicle sha256`); version 2 (format v3 evidence) appends
/// its bindings (`count | (candidate id | encapsulated key | wrapped key)…`), so that the candidate
/// ids a mark's evidence is sealed for are not in the database in the clear either.
enum EvidenceHeader {
  static func encode(capturedAtMS: Int64, plateSHA256: Data, vehicleSHA256: Data, bindings: [EvidenceBinding]) -> Data {
    var writer = BinaryWriter()
    writer.byte(bindings.isEmpty ? 1 : 2)
    writer.int64(capturedAtMS)
    writer.bytes(plateSHA256)
    writer.bytes(vehicleSHA256)
    guard !bindings.isEmpty else { return writer.data }
    writer.byte(UInt8(bindings.count))
    for binding in bindings {
      writer.bytes(binding.candidate.bytes)
      writer.bytes(binding.encapsulatedKey)
      writer.bytes(binding.wrappedKey)
    }
    return writer.data
  }

  static func decode(
    _ data: Data, id: UUID
  ) throws -> (capturedAtMS: Int64, plateSHA256: Data, vehicleSHA256: Data, bindings: [EvidenceBinding]) {
    var reader = BinaryReader(data)
    let version = try reader.byte()
    guard version == 1 || version == 2 else {
      throw VaultError(.corruptRow, "Evidence \(id) has an unknown header format.")
    }
    let (time, plate, vehicle) = (try reader.int64(), try reader.bytes(), try reader.bytes())
    var bindings: [EvidenceBinding] = []
    if version == 2 {
      for _ in 0..<Int(try reader.byte()) {
        let candidate = try reader.bytes()
        guard candidate.count == 16 else { throw VaultError(.corruptRow, "Evidence \(id) has a damaged binding.") }
        bindings.append(
          EvidenceBinding(
            candidate: UUID(uuid: candidate.withUnsafeBytes { $0.loadUnaligned(as: uuid_t.self) }),
            encapsulatedKey: try reader.bytes(), wrappedKey: try reader.bytes()))
      }
    }
    return (time, plate, vehicle, bindings)
  }
}
