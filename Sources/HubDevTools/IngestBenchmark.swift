// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Hub
import Logging
import Wire

/// Ingest throughput in process (no TLS), the same candidates into two scratch hubs: once as
/// ingest was before validation (signature and digests verified, then stored) and once through
/// the shipped `HubService.ingest` (the same, plus every bound checked and every evidence opened
/// as its device's before anything is stored). Part of `chalkline-hub bench`.
public enum IngestBenchmark {
  /// Runs it with `count` candidates in batches of `batchSize`.
  public static func run(
    candidates count: Int, batchSize: Int
  ) async throws -> [(metric: String, value: Double, unit: String)] {
    var logger = Logger(label: "ingest-benchmark")
    logger.logLevel = .error
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ingest-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    defer { try? FileManager.default.removeItem(at: directory) }
    let deviceKey = Curve25519.Signing.PrivateKey()
    var hubs: [(LoopbackHub, HubService, DeviceRecord)] = []
    for name in ["before", "after"] {
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent(name))
      _ = try await hub.addDevice(name: "bench", deviceKey: deviceKey.publicKey, logger: logger)
      let service = try hub.service(logger: logger)
      guard let device = try await service.storage.devices().first else {
        throw HubError(.storage, "The benchmark device was not registered.")
      }
      hubs.append((hub, service, device))
    }
    // Both hubs' keys differ; evidence is sealed to each its own.
    let batches = try hubs.map { hub, _, _ in
      let synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
      let all = try (0..<count).map { try synthetic.make(plate: "BENCH\($0 % 100)", index: $0) }
      return stride(from: 0, to: all.count, by: batchSize).map { Array(all[$0..<min($0 + batchSize, all.count)]) }
    }
    let clock = ContinuousClock()
    func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
    // Before validation: what ingest did then, verify and store.
    let (_, beforeService, beforeDevice) = hubs[0]
    let beforeKey = try Curve25519.Signing.PublicKey(rawRepresentation: beforeDevice.signingKey)
    var start = clock.now
    for batch in batches[0] {
      let verified = batch.compactMap { candidate in
        candidate.verified(by: beforeKey).map {
          VerifiedCandidate(wire: candidate, manifest: $0, deviceID: beforeDevice.id)
        }
      }
      _ = try await beforeService.storage.ingest(verified, receivedAt: Date())
    }
    let before = seconds(clock.now - start)
    let (_, afterService, afterDevice) = hubs[1]
    start = clock.now
    for batch in batches[1] { _ = try await afterService.ingest(CandidateBatch(candidates: batch), from: afterDevice) }
    let after = seconds(clock.now - start)
    for (_, service, _) in hubs where try await service.storage.candidateCount() != count {
      throw HubError(.storage, "An ingest benchmark hub does not hold all \(count) candidates.")
    }
    return [
      ("ingest.candidates_per_second_before_validation", Double(count) / before, "candidates/s"),
      ("ingest.candidates_per_second_validated", Double(count) / after, "candidates/s"),
      ("ingest.validation_microseconds_per_candidate", (after - before) / Double(count) * 1e6, "us"),
    ]
  }
}
