// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// The pictures of one sighting as captured: a plate crop and a vehicle crop (JPEG), with the
/// SHA-256 of each taken now, and the plate alternatives read (which travel sealed only).
public struct EvidenceCapture: Sendable {
  /// The plate crop, JPEG.
  public var plateJPEG: Data
  /// The vehicle crop, JPEG.
  public var vehicleJPEG: Data
  /// The plate alternatives the vehicle read, best first. Sealed with the pictures; never stored
  /// or logged in the clear.
  public var plateAlternatives: [String]
  /// When the frame was captured.
  public var capturedAt: Date
  /// SHA-256 of `plateJPEG`, taken at capture.
  public let plateSHA256: Data
  /// SHA-256 of `vehicleJPEG`, taken at capture.
  public let vehicleSHA256: Data
  /// The device that sealed it (its key fingerprint, what its manifests name), as read from opened
  /// evidence of format v2 or v3; nil for v1 evidence and for a capture not yet sealed.
  public var sealedBy: String?
  /// The candidate the evidence opened for, bound by HPKE `info` and associated data (format v3);
  /// nil for evidence of format v1 or v2, bound to its candidate by the signed manifest only.
  public var sealedFor: UUID?

  /// Captures evidence and takes the digests of both pictures.
  public init(plateJPEG: Data, vehicleJPEG: Data, plateAlternatives: [String], capturedAt: Date) {
    self.plateJPEG = plateJPEG
    self.vehicleJPEG = vehicleJPEG
    self.plateAlternatives = plateAlternatives
    self.capturedAt = capturedAt
    plateSHA256 = Data(SHA256.hash(data: plateJPEG))
    vehicleSHA256 = Data(SHA256.hash(data: vehicleJPEG))
  }
}

/// Evidence sealed with HPKE (X25519, HKDF-SHA256, ChaCha20-Poly1305) to the upstream's key: the
/// vehicle can store and send it but cannot read it back.
public struct SealedEvidence: Sendable, Equatable {
  /// The evidence id.
  public let id: UUID
  /// When the pictures were captured.
  public let capturedAt: Date
  /// SHA-256 of the plate crop, taken at capture.
  public let plateSHA256: Data
  /// SHA-256 of the vehicle crop, taken at capture.
  public let vehicleSHA256: Data
  /// The HPKE encapsulated key.
  public let encapsulatedKey: Data
  /// The HPKE ciphertext of the pictures and plate alternatives (v1, v2, and v3 as sent for one
  /// candidate: its wrapped data key, then the pictures under that key); for v3 evidence as the
  /// vault holds it, the pictures under the data key alone, opened through one of `bindings`.
  public let ciphertext: Data
  /// Format v3 as the vault holds it: the data key sealed for each candidate the evidence may become
  /// part of; empty for v1 and v2 evidence and for v3 evidence bound to one candidate (`bound(to:)`).
  public let bindings: [EvidenceBinding]

  /// Rebuilds sealed evidence from stored or received fields.
  public init(
    id: UUID, capturedAt: Date, plateSHA256: Data, vehicleSHA256: Data, encapsulatedKey: Data, ciphertext: Data,
    bindings: [EvidenceBinding] = []
  ) {
    self.id = id
    self.capturedAt = capturedAt
    self.plateSHA256 = plateSHA256
    self.vehicleSHA256 = vehicleSHA256
    self.encapsulatedKey = encapsulatedKey
    self.ciphertext = ciphertext
    self.bindings = bindings
  }

  /// The evidence as candidate `candidate` sends it: for v3, the binding sealed for that candidate
  /// (its encapsulated key, then its wrapped data key and the pictures as one ciphertext); v1 and v2
  /// evidence is one sealing for any candidate and comes back unchanged. Fails when v3 evidence was
  /// not sealed for `candidate`: the vehicle cannot seal it anew.
  public func bound(to candidate: UUID) throws(WireError) -> SealedEvidence {
    guard !bindings.isEmpty else { return self }
    guard let binding = bindings.first(where: { $0.candidate == candidate }) else {
      throw WireError(
        .evidenceMissing,
        "Evidence \(id) was sealed for candidates \(bindings.map(\.candidate.uuidString).joined(separator: ", ")), "
          + "not for candidate \(candidate).")
    }
    return SealedEvidence(
      id: id, capturedAt: capturedAt, plateSHA256: plateSHA256, vehicleSHA256: vehicleSHA256,
      encapsulatedKey: binding.encapsulatedKey, ciphertext: binding.wrappedKey + ciphertext)
  }

  /// SHA-256 over the encapsulated key and ciphertext, named in the signed manifest.
  public var sealedSHA256: Data {
    var hasher = SHA256()
    hasher.update(data: encapsulatedKey)
    hasher.update(data: ciphertext)
    return Data(hasher.finalize())
  }

  /// The associated data that binds the ciphertext to its id, time and digests.
  var associatedData: Data {
    var data = id.bytes
    withUnsafeBytes(of: Int64(capturedAt.millisecondsSince1970).bigEndian) { data.append(contentsOf: $0) }
    data.append(plateSHA256)
    data.append(vehicleSHA256)
    return data
  }

  /// The HPKE `info` of each format: v1 sealed the pictures and readings; v2 seals the sealing
  /// device's id with them (so that evidence one vehicle sealed is not taken as another's), and
  /// the label keeps one format from opening as the other.
  static func info(bound: Bool) -> Data { Data((bound ? "chalkline evidence v2" : "chalkline evidence v1").utf8) }

  /// Format v3's HPKE `info`: the label, the sealing device's id and the candidate id, each
  /// length-prefixed (`EvidenceFields`), so no two (device, candidate) pairs give the same bytes.
  static func info(device: String, candidate: UUID) -> Data {
    EvidenceFields.encode([Data("chalkline evidence v3".utf8), Data(device.utf8), candidate.bytes])
  }

  /// Format v3's associated data: the evidence id, capture time and both digests, the device, and
  /// (for a binding; not for the pictures under the data key, which every binding shares) the
  /// candidate, each length-prefixed.
  func associatedData(device: String, candidate: UUID?) -> Data {
    var fields = [Data("chalkline evidence v3".utf8), id.bytes]
    withUnsafeBytes(of: Int64(capturedAt.millisecondsSince1970).bigEndian) { fields.append(Data($0)) }
    fields += [plateSHA256, vehicleSHA256, Data(device.utf8)]
    if let candidate { fields.append(candidate.bytes) }
    return EvidenceFields.encode(fields)
  }

  static let suite = HPKE.Ciphersuite.Curve25519_SHA256_ChachaPoly
  /// A v3 binding's HPKE ciphertext: the 32-byte data key and its 16-byte tag.
  static let wrappedKeyBytes = 48
}

/// Format v3: the data key of one evidence sealed with HPKE to the upstream for one candidate,
/// under `info` and associated data that name the sealing device and that candidate.
public struct EvidenceBinding: Sendable, Equatable {
  /// The candidate this binding opens the evidence for.
  public let candidate: UUID
  /// The HPKE encapsulated key.
  public let encapsulatedKey: Data
  /// The HPKE ciphertext of the data key (`SealedEvidence.wrappedKeyBytes` bytes).
  public let wrappedKey: Data

  /// Rebuilds a binding from stored fields.
  public init(candidate: UUID, encapsulatedKey: Data, wrappedKey: Data) {
    self.candidate = candidate
    self.encapsulatedKey = encapsulatedKey
    self.wrappedKey = wrappedKey
  }
}

/// An unambiguous encoding of several byte fields: each is a 4-byte big-endian length, then the
/// bytes (the `info` and associated data of format v3).
enum EvidenceFields {
  static func encode(_ fields: [Data]) -> Data {
    var out = Data()
    for field in fields {
      withUnsafeBytes(of: UInt32(field.count).bigEndian) { out.append(contentsOf: $0) }
      out.append(field)
    }
    return out
  }
}

/// The sealed plaintext: `CLE1`, then three length-prefixed (UInt32, big-endian) sections: plate
/// JPEG, vehicle JPEG, plate alternatives (UTF-8, one per line); or `CLE2` (formats v2 and v3), the
/// same and a fourth section, the sealing device's id (UTF-8).
enum EvidencePayload {
  static func encode(_ capture: EvidenceCapture, device: String?) -> Data {
    let text = Data(capture.plateAlternatives.joined(separator: "\n").utf8)
    var out = Data(capacity: 64 + capture.plateJPEG.count + capture.vehicleJPEG.count + text.count)
    out.append(contentsOf: Array((device == nil ? "CLE1" : "CLE2").utf8))
    for section in [capture.plateJPEG, capture.vehicleJPEG, text] + (device.map { [Data($0.utf8)] } ?? []) {
      withUnsafeBytes(of: UInt32(section.count).bigEndian) { out.append(contentsOf: $0) }
      out.append(section)
    }
    return out
  }

  static func decode(_ data: Data, capturedAt: Date) throws -> EvidenceCapture {
    let bytes = [UInt8](data)
    let format = bytes.count >= 4 && bytes[0..<3] == [0x43, 0x4C, 0x45] ? bytes[3] : 0
    guard format == 0x31 || format == 0x32 else {
      throw WireError(.corruptRow, "Opened evidence has an unknown format.")
    }
    var offset = 4
    var sections: [Data] = []
    for _ in 0..<(format == 0x32 ? 4 : 3) {
      guard offset + 4 <= bytes.count else { throw WireError(.corruptRow, "Opened evidence is truncated.") }
      let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
      offset += 4
      guard offset + length <= bytes.count else { throw WireError(.corruptRow, "Opened evidence is truncated.") }
      sections.append(Data(bytes[offset..<offset + length]))
      offset += length
    }
    let text = String(decoding: sections[2], as: UTF8.self)
    var capture = EvidenceCapture(
      plateJPEG: sections[0], vehicleJPEG: sections[1],
      plateAlternatives: text.isEmpty ? [] : text.components(separatedBy: "\n"), capturedAt: capturedAt)
    capture.sealedBy = sections.count > 3 ? String(decoding: sections[3], as: UTF8.self) : nil
    return capture
  }
}
