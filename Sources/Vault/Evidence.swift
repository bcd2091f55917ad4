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
  public func bound(to candidate: UUID) throws -> SealedEvidence {
    guard !bindings.isEmpty else { return self }
    guard let binding = bindings.first(where: { $0.candidate == candidate }) else {
      throw VaultError(
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

/// Seals evidence to the upstream's HPKE key. Pure computation: safe on any thread.
///
/// Format v3 (what the agent seals) binds each evidence to the sealing device and to the candidate
/// it is sent in, cryptographically: the pictures and readings are encrypted once under a random
/// data key (ChaCha20-Poly1305), and the data key is sealed with HPKE to the upstream once for each
/// candidate the evidence may become part of, with the device id and that candidate id in both the
/// HPKE `info` and the associated data (length-prefixed). Evidence is sealed when its sighting is
/// made, usually long before the candidate exists (the first sighting of a chalk mark), and the
/// vehicle cannot open it again to seal it anew, so the candidate ids are fixed at sealing time: a
/// chalk mark's candidates take ids derived from the mark under its window's key
/// (`PlateHasher.candidateID`), one for the stay it chalks (overstay or permit; a mark is flagged
/// once) and one for a return too soon after it (no-return; the mark ends then). A candidate sends
/// the binding for its own id (`SealedEvidence.bound(to:)`); the upstream opens it only with the
/// device and candidate it expects, so evidence moved into another candidate, or presented as
/// another device's, does not open. The data key exists only in memory during `seal`.
///
/// v2 sealed the device id inside the ciphertext (HPKE `info` `chalkline evidence v2`) and bound
/// the candidate only through the signed manifest; v1 bound neither. Both still open
/// (`EvidenceOpener.open(_:)`) for evidence sealed before v3.
public struct EvidenceSealer: Sendable {
  let recipient: Curve25519.KeyAgreement.PublicKey
  /// The sealing device's id (its key fingerprint); nil seals the unbound v1 format (tests of the
  /// old format only).
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

  /// Seals the capture in format v3 for each of `candidates` (at least one; the device must be
  /// set). The plaintext and the data key exist only in memory for the duration of this call.
  public func seal(_ capture: EvidenceCapture, id: UUID = UUID(), for candidates: [UUID]) throws -> SealedEvidence {
    guard let device, !candidates.isEmpty else {
      throw VaultError(
        .invalidArgument, "Evidence \(id) is sealed in format v3 for a device and at least one candidate.")
    }
    let header = Self.header(capture, id: id)
    do {
      let dataKey = SymmetricKey(size: .bits256)
      let pictures = try ChaChaPoly.seal(
        EvidencePayload.encode(capture, device: device), using: dataKey,
        authenticating: header.associatedData(device: device, candidate: nil)
      ).combined
      var bindings: [EvidenceBinding] = []
      for candidate in candidates where !bindings.contains(where: { $0.candidate == candidate }) {
        var sender = try HPKE.Sender(
          recipientKey: recipient, ciphersuite: SealedEvidence.suite,
          info: SealedEvidence.info(device: device, candidate: candidate))
        let wrapped = try dataKey.withUnsafeBytes {
          try sender.seal(Data($0), authenticating: header.associatedData(device: device, candidate: candidate))
        }
        bindings.append(
          EvidenceBinding(candidate: candidate, encapsulatedKey: sender.encapsulatedKey, wrappedKey: wrapped))
      }
      return SealedEvidence(
        id: id, capturedAt: header.capturedAt, plateSHA256: capture.plateSHA256, vehicleSHA256: capture.vehicleSHA256,
        encapsulatedKey: Data(), ciphertext: pictures, bindings: bindings)
    } catch {
      throw VaultError(.crypto, "Sealing evidence to the upstream key failed.", cause: error)
    }
  }

  /// Seals the capture in the format before v3: v2 (device id sealed with the pictures; the
  /// candidate bound only by the manifest) or, without a device, v1. For tests of the transition
  /// and of the vault's storage, which the candidate ids do not concern.
  public func seal(_ capture: EvidenceCapture, id: UUID = UUID()) throws -> SealedEvidence {
    let header = Self.header(capture, id: id)
    do {
      var sender = try HPKE.Sender(
        recipientKey: recipient, ciphersuite: SealedEvidence.suite, info: SealedEvidence.info(bound: device != nil))
      let ciphertext = try sender.seal(
        EvidencePayload.encode(capture, device: device), authenticating: header.associatedData)
      return SealedEvidence(
        id: id, capturedAt: header.capturedAt, plateSHA256: capture.plateSHA256, vehicleSHA256: capture.vehicleSHA256,
        encapsulatedKey: sender.encapsulatedKey, ciphertext: ciphertext)
    } catch {
      throw VaultError(.crypto, "Sealing evidence to the upstream key failed.", cause: error)
    }
  }

  /// The header fields (id, time, digests) of the evidence to be sealed. Times are kept to the
  /// millisecond, so the sealed header round-trips through the database.
  static func header(_ capture: EvidenceCapture, id: UUID) -> SealedEvidence {
    SealedEvidence(
      id: id, capturedAt: Date(millisecondsSince1970: capture.capturedAt.millisecondsSince1970),
      plateSHA256: capture.plateSHA256, vehicleSHA256: capture.vehicleSHA256, encapsulatedKey: Data(),
      ciphertext: Data())
  }
}

/// Opens sealed evidence with the upstream's private key (used by the upstream and by tests).
public struct EvidenceOpener: Sendable {
  let privateKey: Curve25519.KeyAgreement.PrivateKey

  /// An opener for the upstream's private key.
  public init(privateKey: Curve25519.KeyAgreement.PrivateKey) { self.privateKey = privateKey }

  /// Opens evidence as candidate `candidate` sent it, sealed by one of `devices` (the candidate's
  /// device and the keys it was re-keyed from): format v3 opens only for that candidate and one of
  /// those devices (`sealedFor` and `sealedBy` of the result name them). Evidence of format v2 or
  /// v1, sealed before v3, opens as `open(_:)` does (`sealedFor` nil): the caller decides whether it
  /// still takes it, and must compare the device a v2 result names.
  public func open(_ sealed: SealedEvidence, candidate: UUID, devices: [String]) throws -> EvidenceCapture {
    let bytes = sealed.ciphertext
    if bytes.count > SealedEvidence.wrappedKeyBytes {
      let wrapped = bytes.prefix(SealedEvidence.wrappedKeyBytes)
      let pictures = bytes.dropFirst(SealedEvidence.wrappedKeyBytes)
      for device in devices {
        let dataKey: SymmetricKey
        do {
          var recipient = try HPKE.Recipient(
            privateKey: privateKey, ciphersuite: SealedEvidence.suite,
            info: SealedEvidence.info(device: device, candidate: candidate), encapsulatedKey: sealed.encapsulatedKey)
          dataKey = SymmetricKey(
            data: try recipient.open(
              wrapped, authenticating: sealed.associatedData(device: device, candidate: candidate)))
        } catch { continue }
        let plaintext: Data
        do {
          plaintext = try ChaChaPoly.open(
            ChaChaPoly.SealedBox(combined: pictures), using: dataKey,
            authenticating: sealed.associatedData(device: device, candidate: nil))
        } catch {
          throw VaultError(.crypto, "Evidence \(sealed.id) was altered (its pictures do not open with its key).")
        }
        var capture = try checked(EvidencePayload.decode(plaintext, capturedAt: sealed.capturedAt), sealed)
        guard capture.sealedBy == device else {
          throw VaultError(.crypto, "Evidence \(sealed.id) names another device inside than the one it was sealed as.")
        }
        capture.sealedFor = candidate
        return capture
      }
    }
    do { return try open(sealed) } catch {
      throw VaultError(
        .crypto,
        "Evidence \(sealed.id) does not open for candidate \(candidate) as sealed by "
          + "\(devices.isEmpty ? "no device" : devices.joined(separator: " or ")) with this key, nor in a format "
          + "before v3.", cause: error)
    }
  }

  /// Opens evidence sealed before format v3 (v2, or v1 sealed before device binding) and checks
  /// both pictures against the digests taken at capture. `sealedBy` of the result names the device
  /// that sealed v2 evidence: compare it with the device the evidence is presented for.
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
        cause: failure ?? VaultError(.crypto, "no HPKE attempt"))
    }
    return try checked(EvidencePayload.decode(plaintext, capturedAt: sealed.capturedAt), sealed)
  }

  private func checked(_ capture: EvidenceCapture, _ sealed: SealedEvidence) throws -> EvidenceCapture {
    guard capture.plateSHA256 == sealed.plateSHA256, capture.vehicleSHA256 == sealed.vehicleSHA256 else {
      throw VaultError(.crypto, "Evidence \(sealed.id) does not match the digests taken at capture.")
    }
    return capture
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
