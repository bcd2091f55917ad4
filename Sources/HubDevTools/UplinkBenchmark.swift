// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Hub
import Logging
import Uplink
import Wire

/// Sync throughput over loopback TLS: a real hub (mutual TLS, signature checks, SQLite with
/// `synchronous=FULL`) and the real uplink client, candidates with two sightings of sealed
/// evidence (3 kB plate crop + 12 kB vehicle crop each). Lives beside the hub because it runs one.
public enum UplinkBenchmark {
  /// Runs the benchmark; `candidates` per run (default 2,000).
  public static func run() async throws -> [(metric: String, value: Double, unit: String)] {
    try await run(candidates: 2_000)
  }

  /// Runs the benchmark with a given number of candidates.
  public static func run(
    candidates count: Int, batchSize: Int = 50
  ) async throws
    -> [(metric: String, value: Double, unit: String)]
  {
    let logger = {
      var logger = Logger(label: "uplink-benchmark")
      logger.logLevel = .error
      return logger
    }()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    defer { try? FileManager.default.removeItem(at: directory) }
    let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
    let deviceKey = Curve25519.Signing.PrivateKey()
    let identity = try await hub.addDevice(name: "bench", deviceKey: deviceKey.publicKey, logger: logger)
    let synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
    let outbox = MemoryOutbox()
    outbox.enqueue(try (0..<count).map { try synthetic.make(plate: "BENCH\($0 % 100)", index: $0) })
    let queued = try await outbox.pending(limit: count)
    let evidenceBytes = queued.reduce(0) { total, candidate in
      total + candidate.evidence.reduce(0) { $0 + $1.ciphertext.count + $1.encapsulatedKey.count }
    }
    // The bounds check ingest runs on each verified manifest, alone (decoding included).
    let validationClock = ContinuousClock()
    let validationStart = validationClock.now
    for candidate in queued {
      try IngestValidation.check(try WireManifest.decode(candidate.manifest), wire: candidate)
    }
    let validation = validationClock.now - validationStart
    let validationMicroseconds =
      (Double(validation.components.seconds) * 1e6 + Double(validation.components.attoseconds) / 1e12)
      / Double(max(count, 1))
    return try await hub.serve(logger: logger) { port in
      let configuration = UplinkConfiguration(
        hubURL: URL(string: "https://127.0.0.1:\(port)")!, certificatePath: identity.certificate,
        privateKeyPath: identity.key, trustedCAPath: hub.pki.caCertificate, hubSigningKey: hub.keys.signing.publicKey,
        cacheDirectory: directory.appendingPathComponent("cache"), batchSize: batchSize)
      let clock = ContinuousClock()
      let start = clock.now
      let report = try await HubConnection.with(configuration: configuration, logger: logger) { connection in
        let sync = UplinkSync(
          connection: connection, outbox: outbox,
          cache: try DistributionCache(
            directory: configuration.cacheDirectory, trustedKey: configuration.hubSigningKey, logger: logger),
          logger: logger)
        return try await sync.syncUntilDrained(maxFailures: 3)
      }
      let (whole, fraction) = (clock.now - start).components
      let elapsed = Double(whole) + Double(fraction) / 1e18
      let held = try await hub.service(logger: logger).storage.candidateCount()
      guard held == count, report.acknowledged == count else {
        throw HubError(.storage, "The benchmark hub holds \(held) of \(count) candidates.")
      }
      let perCandidate = Double(report.bytesSent + report.bytesReceived) / Double(count)
      return [
        ("uplink.candidates_per_second", Double(count) / elapsed, "candidates/s"),
        ("uplink.bytes_per_candidate_on_wire", perCandidate, "bytes"),
        ("uplink.sealed_evidence_bytes_per_candidate", Double(evidenceBytes) / Double(count), "bytes"),
        ("uplink.wire_overhead_ratio", perCandidate / (Double(evidenceBytes) / Double(count)), "x"),
        ("uplink.batches", Double(report.batches), "batches"),
        ("uplink.manifest_decode_and_validation_per_candidate", validationMicroseconds, "us"),
      ]
    }
  }
}
