// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Wire

#if canImport(Glibc)
  import Glibc
#endif

/// The hub's own keys, kept in the keys directory (0700, files 0600): the Ed25519 key that signs
/// distributed documents, the X25519 (HPKE) private key that opens sealed evidence, and the
/// audit key (Ed25519) that signs audit checkpoints and from which the audit chain's HMAC key is
/// derived. Only the hub holds them; vehicles seal to the HPKE key's public half.
public struct HubKeys: Sendable {
  /// Signs zones, permits and key documents.
  public let signing: Curve25519.Signing.PrivateKey
  /// Opens sealed evidence.
  public let hpke: Curve25519.KeyAgreement.PrivateKey
  /// Signs audit checkpoints; the audit chain's HMAC key is derived from it.
  public let audit: Curve25519.Signing.PrivateKey
  /// HPKE keys replaced by `keys rotate`, newest first, with when each was retired: kept (in
  /// `retired/`) only while evidence sealed to them may still be held.
  public var retired: [(key: Curve25519.KeyAgreement.PrivateKey, retiredAt: Date)] = []

  static let signingFile = "hub-signing.key"
  static let hpkeFile = "hub-hpke.key"
  static let auditFile = "hub-audit.key"

  /// The HMAC key that chains the access audit (HKDF-SHA256 of the audit key).
  public var auditChainKey: SymmetricKey {
    HKDF<SHA256>.deriveKey(
      inputKeyMaterial: SymmetricKey(data: audit.rawRepresentation), info: Data("chalkline-hub audit chain v2".utf8),
      outputByteCount: 32)
  }

  /// The public keys devices import (`chalkline keys import-upstream`).
  public var publicKeys: HubPublicKeys {
    HubPublicKeys(
      hpkePublicKey: hpke.publicKey.rawRepresentation, signingPublicKey: signing.publicKey.rawRepresentation,
      auditPublicKey: audit.publicKey.rawRepresentation)
  }

  /// Creates new keys in `directory`; refuses to overwrite existing ones.
  public static func create(in directory: String) throws -> HubKeys {
    let manager = FileManager.default
    do {
      try manager.createDirectory(
        atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
      try manager.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
    } catch {
      throw HubError(.keys, "The keys directory \(directory) cannot be created.", cause: error)
    }
    for name in [signingFile, hpkeFile, auditFile] where manager.fileExists(atPath: "\(directory)/\(name)") {
      throw HubError(
        .keys, "\(directory)/\(name) already exists; the hub's keys are made once (`chalkline-hub keys show`).")
    }
    let keys = HubKeys(
      signing: Curve25519.Signing.PrivateKey(), hpke: Curve25519.KeyAgreement.PrivateKey(),
      audit: Curve25519.Signing.PrivateKey(), retired: [])
    try write(keys.signing.rawRepresentation, to: "\(directory)/\(signingFile)")
    try write(keys.hpke.rawRepresentation, to: "\(directory)/\(hpkeFile)")
    try write(keys.audit.rawRepresentation, to: "\(directory)/\(auditFile)")
    return keys
  }

  /// Loads the keys, checking that nobody but the owner can read them. A keys directory made
  /// before the audit key existed gets one now (once; the audit then starts its keyed chain).
  public static func load(from directory: String) throws -> HubKeys {
    let auditPath = "\(directory)/\(auditFile)"
    if FileManager.default.fileExists(atPath: "\(directory)/\(signingFile)"),
      !FileManager.default.fileExists(atPath: auditPath)
    {
      try write(Curve25519.Signing.PrivateKey().rawRepresentation, to: auditPath)
    }
    func read(_ name: String) throws -> Data {
      let path = "\(directory)/\(name)"
      guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
        let permissions = attributes[.posixPermissions] as? Int
      else { throw HubError(.keys, "\(path) is missing; run `chalkline-hub keys init --config H` once.") }
      guard permissions & 0o077 == 0 else {
        throw HubError(.keys, "\(path) is readable by others (mode \(String(permissions, radix: 8))); chmod 600 it.")
      }
      guard let text = try? String(contentsOfFile: path, encoding: .utf8),
        let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32
      else { throw HubError(.keys, "\(path) does not hold a base64 32-byte key.") }
      return data
    }
    do {
      return HubKeys(
        signing: try Curve25519.Signing.PrivateKey(rawRepresentation: read(signingFile)),
        hpke: try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: read(hpkeFile)),
        audit: try Curve25519.Signing.PrivateKey(rawRepresentation: read(auditFile)),
        retired: try retiredNames(in: directory).map { name, at in
          (try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: read("\(retiredDirectory)/\(name)")), at)
        })
    } catch let error as HubError { throw error } catch {
      throw HubError(.keys, "The hub keys in \(directory) are not valid keys.", cause: error)
    }
  }

  static let retiredDirectory = "retired"

  /// The retired HPKE key files (`retired/hub-hpke-MILLISECONDS.key`), newest first.
  static func retiredNames(in directory: String) throws -> [(String, Date)] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/\(retiredDirectory)")) ?? []
    return names.compactMap { name -> (String, Date)? in
      guard name.hasPrefix("hub-hpke-"), name.hasSuffix(".key"),
        let ms = Int64(name.dropFirst("hub-hpke-".count).dropLast(".key".count))
      else { return nil }
      return (name, Date(timeIntervalSince1970: Double(ms) / 1000))
    }.sorted { $0.1 > $1.1 }
  }

  /// Replaces the HPKE key: the current one moves to `retired/` (kept to open what was sealed
  /// to it) and a new one is written. Returns the keys as they are now.
  public static func rotateHPKE(in directory: String, at now: Date = Date()) throws -> HubKeys {
    let current = try load(from: directory)
    let retired = "\(directory)/\(retiredDirectory)"
    do {
      try FileManager.default.createDirectory(
        atPath: retired, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch { throw HubError(.keys, "\(retired) cannot be created.", cause: error) }
    let stamp = Int64((now.timeIntervalSince1970 * 1000).rounded())
    try write(current.hpke.rawRepresentation, to: "\(retired)/hub-hpke-\(stamp).key")
    let replacement = "\(directory)/\(hpkeFile).new"
    try write(Curve25519.KeyAgreement.PrivateKey().rawRepresentation, to: replacement)
    // rename(2) replaces the key file atomically: a crash leaves the old key or the new one.
    guard rename(replacement, "\(directory)/\(hpkeFile)") == 0 else {
      throw HubError(.keys, "The new HPKE key cannot replace \(directory)/\(hpkeFile) (errno \(errno)).")
    }
    return try load(from: directory)
  }

  /// Deletes the retired keys retired at or before `cutoff` (no evidence sealed to them is held
  /// any more); returns when each deleted key was retired.
  public static func pruneRetired(in directory: String, retiredAtOrBefore cutoff: Date) throws -> [Date] {
    var pruned: [Date] = []
    for (name, at) in try retiredNames(in: directory) where at <= cutoff {
      do { try FileManager.default.removeItem(atPath: "\(directory)/\(retiredDirectory)/\(name)") } catch {
        throw HubError(.keys, "The retired key \(name) cannot be deleted.", cause: error)
      }
      pruned.append(at)
    }
    return pruned
  }

  /// Every HPKE private key that may open held evidence: the current one, then the retired ones.
  public var openingKeys: [Curve25519.KeyAgreement.PrivateKey] { [hpke] + retired.map(\.key) }

  /// Opens sighting `sighting`'s evidence of a candidate with the current key or a retired one.
  /// It opens only as the evidence the candidate's signed manifest names there (evidence id and
  /// SHA-256 of the sealed bytes) and, in format v3, only for this candidate as sealed by one of
  /// `devices` (the candidate's device and the keys that device was re-keyed from), both bound by
  /// HPKE `info` and associated data: evidence sealed for another candidate or by another device
  /// does not open. Evidence sealed before v3 (the transition, `EvidenceCapture.sealedFor` nil)
  /// opens bound to the candidate by the manifest only; in v2 only as sealed by one of `devices`
  /// (the device id sealed with the pictures); in v1 as any.
  public func openEvidence(
    _ candidate: StoredCandidate, sighting: Int, devices: [String]
  ) throws -> EvidenceCapture {
    try openEvidence(
      candidate.evidence, manifest: candidate.manifest, candidate: candidate.id, sighting: sighting, devices: devices)
  }

  /// The same for a candidate as received (ingest checks that its evidence opens before storing it).
  public func openEvidence(
    _ evidence: [WireEvidence], manifest: WireManifest, candidate: UUID, sighting: Int, devices: [String]
  ) throws -> EvidenceCapture {
    guard evidence.indices.contains(sighting), manifest.sightings.indices.contains(sighting) else {
      throw HubError(.evidence, "Candidate \(candidate) has no evidence for sighting \(sighting).")
    }
    let sealed = evidence[sighting].sealed
    let named = manifest.sightings[sighting]
    guard named.evidenceId == sealed.id, named.sealedSha256 == sealed.sealedSHA256.hexString else {
      throw HubError(
        .evidence,
        "The evidence held for sighting \(sighting) of candidate \(candidate) is not the one its signed manifest names."
      )
    }
    var failure: (any Error)?
    for key in openingKeys {
      let capture: EvidenceCapture
      do { capture = try EvidenceOpener(privateKey: key).open(sealed, candidate: candidate, devices: devices) } catch {
        failure = error
        continue
      }
      // v1 evidence (sealed before device binding) names no device.
      if let sealer = capture.sealedBy, !devices.contains(sealer) {
        throw HubError(
          .evidence, "The evidence of sighting \(sighting) of candidate \(candidate) was sealed by device \(sealer).")
      }
      return capture
    }
    guard let failure else { throw HubError(.evidence, "No HPKE key to open evidence with.") }
    throw HubError(
      .evidence,
      "The evidence of sighting \(sighting) of candidate \(candidate) does not open with the hub's keys for this "
        + "candidate as sealed by its device.", cause: failure)
  }

  /// Opens an officer's sealed corrected text with the current key or a retired one.
  public func openCorrected(_ sealed: Data, candidate: UUID) throws -> String {
    var failure: (any Error)?
    for key in openingKeys {
      do { return try CorrectedText.open(sealed, candidate: candidate, with: key) } catch { failure = error }
    }
    throw failure ?? HubError(.evidence, "No HPKE key to open the corrected text with.")
  }

  static func write(_ key: Data, to path: String) throws {
    let created = FileManager.default.createFile(
      atPath: path, contents: Data((key.base64EncodedString() + "\n").utf8), attributes: [.posixPermissions: 0o600])
    guard created else { throw HubError(.keys, "\(path) cannot be written.") }
  }
}
