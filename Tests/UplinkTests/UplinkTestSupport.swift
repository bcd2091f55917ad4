// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Hub
import HubDevTools
import Logging
import Uplink
import Vault
import Wire

/// A quiet logger for tests (warnings and above).
let testLogger: Logger = {
  var logger = Logger(label: "uplink-tests")
  logger.logLevel = .critical
  return logger
}()

/// Runs `body` with a fresh private directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-\(UUID().uuidString)")
  try FileManager.default.createDirectory(
    at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
  defer { try? FileManager.default.removeItem(at: url) }
  return try await body(url)
}

/// An uplink configuration for a device talking to `port` on loopback, with short timeouts and
/// backoff so that fault tests finish quickly.
func uplinkConfiguration(
  hub: LoopbackHub, identity: DevelopmentPKI.Identity, port: Int, cache: URL, batchSize: Int = 50,
  requestTimeout: Duration = .seconds(30)
) -> UplinkConfiguration {
  UplinkConfiguration(
    hubURL: URL(string: "https://127.0.0.1:\(port)")!, certificatePath: identity.certificate,
    privateKeyPath: identity.key, trustedCAPath: hub.pki.caCertificate,
    hubSigningKey: hub.keys.signing.publicKey, cacheDirectory: cache, batchSize: batchSize,
    connectTimeout: .seconds(2), requestTimeout: requestTimeout,
    backoff: Backoff(base: .milliseconds(5), cap: .milliseconds(100)), interval: .milliseconds(50))
}

/// A vehicle's vault in `directory` with the hub's keys imported, and a way to queue candidates.
struct TestVehicle {
  let vault: Vault
  let sealer: EvidenceSealer

  init(in directory: URL, hub: LoopbackHub) throws {
    let state = directory.appendingPathComponent("vehicle-state")
    vault = try Vault.initialize(stateDirectory: state, actor: "test", purpose: "uplink tests", logger: testLogger)
    let keys = hub.keys.publicKeys
    try vault.importUpstreamKeys(
      hpkePublicKey: keys.hpkePublicKey, signingPublicKey: keys.signingPublicKey, actor: "test",
      purpose: "uplink tests")
    sealer = try EvidenceSealer(keyring: vault.keyring)
  }

  /// The same vault, with a sealer for its keyring as it is now (after a device key rotation).
  init(reopening other: TestVehicle) throws {
    vault = other.vault
    sealer = try EvidenceSealer(keyring: vault.keyring)
  }

  var deviceKey: Curve25519.Signing.PublicKey { vault.keyring.deviceKey.publicKey }

  /// Queues `count` candidates with two sightings each; returns their ids and plates.
  @discardableResult
  func enqueue(_ count: Int, imageBytes: Int = 2_000, offset: Int = 0, decidedAt: Date? = nil) throws -> [UUID: String]
  {
    var queued: [UUID: String] = [:]
    let start = decidedAt?.addingTimeInterval(-7_800) ?? Date(timeIntervalSince1970: 1_772_442_000)
    for index in offset..<offset + count {
      let plate = "\(index % 10)TST\(String(format: "%03d", index % 1000))"
      let sealed = try [0.0, 7_800.0].map { offset in
        try sealer.seal(
          EvidenceCapture(
            plateJPEG: Data(repeating: UInt8(index % 251), count: imageBytes / 4),
            vehicleJPEG: Data(repeating: UInt8(index % 241), count: imageBytes),
            plateAlternatives: [plate, "8" + plate],
            capturedAt: start.addingTimeInterval(Double(index) * 1.007 + offset)))
      }
      let sightings = zip([0.0, 7_800.0], sealed).map { offset, evidence in
        Sighting(
          time: evidence.capturedAt,
          position: CurbPosition(latitude: 37.3349 + offset * 1e-9, longitude: -121.8881, uncertainty: 4),
          alternatives: [], evidence: EvidenceID(evidence.id))
      }
      let draft = Candidate(
        rule: .overstay(maxStay: 7_200, grace: 0), zone: ZoneID("zone-\(index % 5)"), policy: PolicyID("uplink-test"),
        first: sightings[0], second: sightings[1], enforcedElapsed: 7_800, distance: 0, confidence: 0.9)
      try vault.enqueueCandidate(draft, sealed: sealed)
      queued[draft.id] = plate
    }
    return queued
  }
}
