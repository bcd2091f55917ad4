// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Hub
import Logging
import Wire

/// The permit list at city scale: a synthetic export of `permits` plates in ten classes, imported
/// into a scratch hub with `devices` registered vehicles (the CSV check, the sealed list at rest,
/// hashing, sealing the key to every device, signing, storing), and the document a vehicle then
/// verifies and fetches.
public enum PermitBenchmark {
  /// Runs the benchmark and returns its figures.
  public static func run(permits: Int, devices: Int) async throws -> [(metric: String, value: Double, unit: String)] {
    var logger = Logger(label: "permit-benchmark")
    logger.logLevel = .error
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("permit-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    defer { try? FileManager.default.removeItem(at: directory) }
    let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
    let service = try hub.service(logger: logger)
    for index in 0..<devices {
      let key = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation
      try await service.storage.addDevice(
        DeviceRecord(
          id: keyFingerprint(key), name: "bench-\(index)", certificateSHA256: String(format: "%064x", index),
          signingKey: key, registeredAt: Date()))
    }
    let csv = syntheticExport(permits: permits)
    let clock = ContinuousClock()
    let start = clock.now
    let report = try await service.importPermits(csv: csv, file: "bench.csv", actor: "bench")
    let imported = clock.now - start
    guard let document = try await service.storage.latestDocument(.permits) else {
      throw HubError(.storage, "The benchmark published no permits document.")
    }
    let wire = try UplinkAPI.encoder().encode(document)
    let verifyStart = clock.now
    _ = document.isValid(for: hub.keys.signing.publicKey)
    _ = try UplinkAPI.decoder().decode(PermitsDocument.self, from: document.body)
    let verified = clock.now - verifyStart
    return [
      ("permits.count", Double(report.countsByClass.values.reduce(0, +)), "permits"),
      ("permits.csv_bytes", Double(csv.count), "bytes"),
      ("permits.import_seconds", seconds(imported), "s"),
      ("permits.document_body_bytes", Double(document.body.count), "bytes"),
      ("permits.document_wire_bytes", Double(wire.count), "bytes"),
      ("permits.bytes_per_permit", Double(document.body.count) / Double(max(permits, 1)), "bytes"),
      ("permits.devices_sealed_to", Double(report.devices), "devices"),
      ("permits.verify_and_decode_ms", seconds(verified) * 1000, "ms"),
    ]
  }

  /// A permit office export: `permits` distinct 7-character plates, ten classes, a year's validity
  /// in twelve monthly cohorts.
  static func syntheticExport(permits: Int) -> Data {
    var text = "permit_id,plate,state,user_class,valid_from,valid_to\n"
    let letters = Array("ABCDEFGHJKLMNPRSTUVWXYZ")
    var seen = Set<String>()
    var generator = SystemRandomNumberGenerator()
    var index = 0
    while seen.count < permits {
      let plate =
        "\(Int.random(in: 1...9, using: &generator))"
        + String((0..<3).map { _ in letters.randomElement(using: &generator)! })
        + String(format: "%03d", Int.random(in: 0...999, using: &generator))
      guard seen.insert(plate).inserted else { continue }
      let month = index % 12 + 1
      let userClass = "permit \(letters[index % 10])"
      text +=
        "\(index),\(plate),CA,\(userClass),2026-\(String(format: "%02d", month))-01,2027-\(String(format: "%02d", month))-01\n"
      index += 1
    }
    return Data(text.utf8)
  }

  static func seconds(_ duration: Duration) -> Double {
    let (whole, fraction) = duration.components
    return Double(whole) + Double(fraction) / 1e18
  }
}
