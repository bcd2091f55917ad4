// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Hub
import Logging
import Wire

/// How the review queue behaves with many pending candidates: a scratch hub holding `pending`
/// candidates (ingested through the real verification), a logged-in reviewer, and the queue's
/// first, middle and last pages fetched over loopback HTTPS, each `repeats` times; plus one
/// candidate page (which opens sealed evidence). Every fetch is audited as in production.
public enum ReviewBenchmark {
  /// Runs the benchmark and returns (metric, value, unit) figures.
  public static func run(
    pending: Int = 10_000, repeats: Int = 20
  ) async throws
    -> [(metric: String, value: Double, unit: String)]
  {
    var logger = Logger(label: "review-benchmark")
    logger.logLevel = .error
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("review-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    defer { try? FileManager.default.removeItem(at: directory) }
    let hub = try LoopbackHub.create(in: directory, reviewers: ["bench": "bench password"])
    let deviceKey = Curve25519.Signing.PrivateKey()
    _ = try await hub.addDevice(name: "bench", deviceKey: deviceKey.publicKey, logger: logger)
    var synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
    // The queue opens no evidence, so small pictures keep the scratch database quick to fill.
    synthetic.plateBytes = 300
    synthetic.vehicleBytes = 1_200
    let service = try hub.service(logger: logger)
    guard let device = try await service.storage.devices().first else {
      throw HubError(.storage, "The benchmark device was not registered.")
    }
    for start in stride(from: 0, to: pending, by: 500) {
      let batch = try (start..<min(start + 500, pending)).map { try synthetic.make(plate: "BENCH", index: $0) }
      _ = try await service.ingest(CandidateBatch(candidates: batch), from: device)
    }
    let pageCount = max(1, (pending + 49) / 50)
    return try await hub.serveWithReview(logger: logger) { _, port in
      try await ReviewClient.with(port: port, caPath: hub.pki.caCertificate) { client in
        guard try await client.login(name: "bench", password: "bench password", purpose: "citation review") else {
          throw HubError(.invalid, "The benchmark reviewer could not log in.")
        }
        var figures: [(metric: String, value: Double, unit: String)] = [
          ("review.pending_candidates", Double(pending), "candidates")
        ]
        var firstID: String?
        for (name, page) in [("first", 1), ("middle", (pageCount + 1) / 2), ("last", pageCount)] {
          var times: [Double] = []
          var bytes = 0
          for _ in 0..<repeats {
            let clock = ContinuousClock()
            let start = clock.now
            let reply = try await client.get("/queue?page=\(page)")
            let (whole, fraction) = (clock.now - start).components
            times.append((Double(whole) + Double(fraction) / 1e18) * 1000)
            guard reply.status == 200, reply.text.contains("Pending candidates (\(pending))") else {
              throw HubError(.invalid, "The queue page \(page) answered \(reply.status).")
            }
            bytes = reply.body.count
            if firstID == nil, let range = reply.text.range(of: "href=\"/candidates/") {
              firstID = String(reply.text[range.upperBound...].prefix(36))
            }
          }
          times.sort()
          figures.append(("review.queue_\(name)_page_median", times[times.count / 2], "ms"))
          figures.append(("review.queue_\(name)_page_max", times.last ?? 0, "ms"))
          figures.append(("review.queue_\(name)_page_bytes", Double(bytes), "bytes"))
        }
        if let firstID {
          let clock = ContinuousClock()
          let start = clock.now
          let reply = try await client.get("/candidates/\(firstID)")
          let (whole, fraction) = (clock.now - start).components
          figures.append(("review.candidate_page", (Double(whole) + Double(fraction) / 1e18) * 1000, "ms"))
          figures.append(("review.candidate_page_bytes", Double(reply.body.count), "bytes"))
        }
        return figures
      }
    }
  }
}
