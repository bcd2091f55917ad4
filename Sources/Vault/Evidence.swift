// SPDX-License-Identifier: AGPL-3.0-or-later
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
  /// evidence of format v2; nil for v1 evidence and for a capture not yet sealed.
  public var sealedBy: String?

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
  /// The HPKE ciphertext of the pictures and plate alternatives.
  public let ciphertext: Data

  /// Rebuilds sealed evidence from stored or received fields.
  public init(
    id: UUID, capturedAt: Date, plateSHA256: Data, vehicleSHA256: Data, encapsulatedKey: Data, ciphertext: Data
  ) {
    self.id = id
    self.capturedAt = capturedAt
    self.plateSHA256 = plateSHA256
    self.vehicleSHA256 = vehicleSHA256
    self.encapsulatedKey = encapsulatedKey
    self.ciphertext = ciphertext
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

  static let suite = HPKE.Ciphersuite.Curve25519_SHA256_ChachaPoly
}

/// Seals evidence to the upstream's HPKE key, bound to the sealing device (format v2: the device
/// id sealed with the pictures, under the v2 `info`). Pure computation: safe on any thread.
///
/// The device id is inside the ciphertext, authenticated by the same AEAD as the pictures, rather
/// than an input to `info` or the associated data, so that the upstream can open evidence without
/// knowing beforehand which of a vehicle's keys sealed it, and then compares. Evidence is sealed
/// when its sighting is made, usually long before the sighting becomes part of a candidate (the
/// first sighting of a chalk mark), and the vehicle cannot open it again to seal it anew; so the
/// candidate id is not in it. The candidate is bound by the device's signed manifest instead,
/// which names each evidence id and the SHA-256 of its sealed bytes; the upstream opens evidence
/// only as the candidate whose manifest names it.
public struct EvidenceSealer: Sendable {
  let recipient: Curve25519.KeyAgreement.PublicKey
  /// The sealing device's id (its key fingerprint), sealed with the evidence; nil seals the
  /// unbound v1 format (tests of the old format only).
  let device: String?

  /// A sealer for the upstream key in `keyring`, bound to its device key; fails when the upstream
  /// key was never imported.
  public init(keyring: Keyring) throws {
    recipient = try keyring.requireUpstreamHPKEKey()
    device = keyFingerprint(keyring.deviceKey.publicKey.rawRepresentation)
  }

  /// A sealer for a given recipient key (the upstream's, or a test's), bound to `device` (the id
  /// its manifests name; nil for the unbound v1 format).
  public init(recipient: Curve25519.KeyAgreement.PublicKey, device: String? = nil) {
    self.recipient = recipient
    self.device = device
  }

  /// Seals the capture. The plaintext exists only in memory for the duration of this call.
  public func seal(_ capture: EvidenceCapture, id: UUID = UUID()) throws -> SealedEvidence {
    // Times are kept to the millisecond, so the sealed header round-trips through the database.
    let capturedAt = Date(millisecondsSince1970: capture.capturedAt.millisecondsSince1970)
    let header = SealedEvidence(
      id: id, capturedAt: capturedAt, plateSHA256: capture.plateSHA256, vehicleSHA256: capture.vehicleSHA256,
      encapsulatedKey: Data(), ciphertext: Data())
    do {
      var sender = try HPKE.Sender(
        recipientKey: recipient, ciphersuite: SealedEvidence.suite, info: SealedEvidence.info(bound: device != nil))
      let ciphertext = try sender.seal(
        EvidencePayload.encode(capture, device: device), authenticating: header.associatedData)
      return SealedEvidence(
        id: id, capturedAt: capturedAt, plateSHA256: capture.plateSHA256, vehicleSHA256: capture.vehicleSHA256,
        encapsulatedKey: sender.encapsulatedKey, ciphertext: ciphertext)
    } catch {
      throw VaultError(.crypto, "Sealing evidence to the upstream key failed.", underlying: error)
    }
  }
}

/// Opens sealed evidence with the upstream's private key (used by the upstream and by tests).
public struct EvidenceOpener: Sendable {
  let privateKey: Curve25519.KeyAgreement.PrivateKey

  /// An opener for the upstream's private key.
  public init(privateKey: Curve25519.KeyAgreement.PrivateKey) { self.privateKey = privateKey }

  /// Opens the evidence (format v2, or v1 sealed before device binding) and checks both pictures
  /// against the digests taken at capture. `sealedBy` of the result names the device that sealed
  /// v2 evidence: compare it with the device the evidence is presented for.
  public func open(_ sealed: SealedEvidence) throws -> EvidenceCapture {
    var plaintext: Data?
    var failure: (any Error)?
    for bound in [true, false] where plaintext == nil {
      do {
        var recipient = try HPKE.Recipient(
          privateKey: privateKey, ciphersuite: SealedEvidence.suite, info: SealedEvidence.info(bound: bound),
          encapsulatedKey: sealed.encapsulatedKey)
        plaintext = try recipient.open(sealed.ciphertext, authenticating: sealed.associatedData)
      } catch { failure = error }
    }
    guard let plaintext else {
      throw VaultError(
        .crypto, "Evidence \(sealed.id) cannot be opened with this key or was altered.",
        underlying: failure ?? VaultError(.crypto, "no HPKE attempt"))
    }
    let capture = try EvidencePayload.decode(plaintext, capturedAt: sealed.capturedAt)
    guard capture.plateSHA256 == sealed.plateSHA256, capture.vehicleSHA256 == sealed.vehicleSHA256 else {
      throw VaultError(.crypto, "Evidence \(sealed.id) does not match the digests taken at capture.")
    }
    return capture
  }
}

/// The sealed plaintext: `CLE1`, then three length-prefixed (UInt32, big-endian) sections: plate
/// JPEG, vehicle JPEG, plate alternatives (UTF-8, one per line); or `CLE2` (format v2), the same
/// and a fourth section, the sealing device's id (UTF-8).
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
      throw VaultError(.corruptRow, "Opened evidence has an unknown format.")
    }
    var offset = 4
    var sections: [Data] = []
    for _ in 0..<(format == 0x32 ? 4 : 3) {
      guard offset + 4 <= bytes.count else { throw VaultError(.corruptRow, "Opened evidence is truncated.") }
      let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
      offset += 4
      guard offset + length <= bytes.count else { throw VaultError(.corruptRow, "Opened evidence is truncated.") }
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

extension Date {
  /// Milliseconds since 1970 UTC, the vault's time unit.
  package var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

  init(millisecondsSince1970 ms: Int64) { self.init(timeIntervalSince1970: Double(ms) / 1000) }
}

/// The sealed header of a stored evidence row: its capture time and the digests of its pictures,
/// kept under the storage key so that a copy of the database alone dates no sighting
/// (`1 | captured_at ms | plate sha256 | vehicle sha256`).
enum EvidenceHeader {
  static func encode(capturedAtMS: Int64, plateSHA256: Data, vehicleSHA256: Data) -> Data {
    var writer = BinaryWriter()
    writer.byte(1)
    writer.int64(capturedAtMS)
    writer.bytes(plateSHA256)
    writer.bytes(vehicleSHA256)
    return writer.data
  }

  static func decode(_ data: Data, id: UUID) throws -> (capturedAtMS: Int64, plateSHA256: Data, vehicleSHA256: Data) {
    var reader = BinaryReader(data)
    guard try reader.byte() == 1 else { throw VaultError(.corruptRow, "Evidence \(id) has an unknown header format.") }
    return (try reader.int64(), try reader.bytes(), try reader.bytes())
  }
}
