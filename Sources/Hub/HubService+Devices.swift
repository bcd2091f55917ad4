// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import NIOSSL
import Uplink
import Vault

extension HubService {
  /// Registers a device: its client certificate (PEM file) and its Ed25519 public key (raw
  /// 32 bytes, as `chalkline keys show` prints it in base64). Returns the record.
  @discardableResult
  public func registerDevice(name: String, certificatePath: String, signingKey: Data) async throws -> DeviceRecord {
    let record = try Self.deviceRecord(name: name, certificatePath: certificatePath, signingKey: signingKey)
    try await storage.addDevice(record)
    logger.notice("Device registered.", metadata: ["hub.device": "\(record.id)", "hub.device_name": "\(name)"])
    return record
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
      throw HubError(.invalid, "\(certificatePath) is not a PEM certificate.", underlying: error)
    }
    return DeviceRecord(
      id: keyFingerprint(signingKey), name: name, certificateSHA256: Data(SHA256.hash(data: der)).hexString,
      signingKey: signingKey, registeredAt: Date())
  }
}
