// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Logging
import NIOSSL
import Wire

extension HubService {
  /// Registers a device: its client certificate (PEM file) and its Ed25519 public key (raw
  /// 32 bytes, as `chalkline keys show` prints it in base64). A vehicle registered again with a
  /// new key (same name or certificate) is re-keyed: its old record is revoked and kept, with its
  /// candidates. Audited (`device.add` or `device.rekey`). Returns the record.
  @discardableResult
  public func registerDevice(
    name: String, certificatePath: String, signingKey: Data, actor: String = "hub",
    purpose: String = "device registration"
  ) async throws -> DeviceRecord {
    let record = try Self.deviceRecord(name: name, certificatePath: certificatePath, signingKey: signingKey)
    let replaced = try await storage.addDevice(record)
    try await audit(
      actor: actor, purpose: purpose, action: replaced.isEmpty ? "device.add" : "device.rekey",
      detail: "device=\(record.id) name=\(name) certificate_sha256=\(record.certificateSHA256)"
        + (replaced.isEmpty ? "" : " replaced=\(replaced.map(\.id).joined(separator: ","))"))
    logger.notice("Device registered.", metadata: ["hub.device": "\(record.id)", "hub.device_name": "\(name)"])
    return record
  }

  /// Revokes a device (by name or id) at once: its certificate is refused on the next request,
  /// its candidates are kept. Audited; throws when no active device has that name or id.
  @discardableResult
  public func revokeDevice(name: String, actor: String, purpose: String) async throws -> [DeviceRecord] {
    let revoked = try await storage.revokeDevice(name: name, at: Date())
    guard !revoked.isEmpty else {
      throw HubError(.invalid, "No active device is named \(name) (chalkline-hub devices list).")
    }
    try await audit(
      actor: actor, purpose: purpose, action: "device.revoke",
      detail: "name=\(name) devices=\(revoked.map(\.id).joined(separator: ","))")
    logger.notice("Device revoked.", metadata: ["hub.device_name": "\(name)"])
    return revoked
  }

  /// Builds a device record, checking the certificate and the key.
  public static func deviceRecord(name: String, certificatePath: String, signingKey: Data) throws -> DeviceRecord {
    guard (try? Curve25519.Signing.PublicKey(rawRepresentation: signingKey)) != nil else {
      throw HubError(.invalid, "The device signing key must be a raw 32-byte Ed25519 public key (base64).")
    }
    let der: [UInt8]
    do {
      guard let certificate = try NIOSSLCertificate.fromPEMFile(certificatePath).first else {
        throw HubError(.invalid, "\(certificatePath) holds no certificate.")
      }
      der = try certificate.toDERBytes()
    } catch let error as HubError { throw error } catch {
      throw HubError(.invalid, "\(certificatePath) is not a PEM certificate.", cause: error)
    }
    return DeviceRecord(
      id: keyFingerprint(signingKey), name: name, certificateSHA256: Data(SHA256.hash(data: der)).hexString,
      signingKey: signingKey, registeredAt: Date())
  }
}
