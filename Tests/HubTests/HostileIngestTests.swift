// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Hub
import HubDevTools
import NIOHTTP1
import Testing
import Uplink
import Wire

/// Validly signed manifests (the registered device's own key) with one value out of bounds: the
/// real hub on loopback answers 400 naming the field, stores nothing of the batch, audits the
/// refusal; and pages over data stored before validation existed do not trap.
@Suite struct HostileIngestTests {
  struct Case: Sendable, CustomStringConvertible {
    var field: String
    var edit: @Sendable (inout WireManifest) -> Void
    var description: String { field }
  }

  static let cases: [Case] = [
    Case(field: "enforced_elapsed_s") { $0.enforcedElapsedS = 1e300 },
    Case(field: "enforced_elapsed_s") { $0.enforcedElapsedS = -5 },
    Case(field: "sightings[1].uncertainty_m") { $0.sightings[1].uncertaintyM = 1e22 },
    Case(field: "sightings[0].latitude") { $0.sightings[0].latitude = 91 },
    Case(field: "sightings[1].longitude") { $0.sightings[1].longitude = -180.5 },
    Case(field: "distance_m") { $0.distanceM = 1e12 },
    Case(field: "read_confidence") { $0.readConfidence = 1.5 },
    Case(field: "rule") { $0.rule = String(repeating: "x", count: 200) },
    Case(field: "zone") { $0.zone = "" },
    Case(field: "zone") { $0.zone = "zone\u{0}1" },
    Case(field: "decided_at") { $0.decidedAt = "yesterday" },
    Case(field: "sightings[0].time") { $0.sightings[0].time = "2101-01-01T00:00:00.000Z" },
    Case(field: "sightings[1].time") { $0.sightings[1].time = "2001-01-01T00:00:00.000Z" },
    Case(field: "sightings (time elapsed between them)") { $0.sightings[1].time = "2026-12-01T00:00:00.000Z" },
  ]

  @Test(arguments: cases) func aHostileSignedManifestIsRefusedWithItsFieldAndNothingIsStored(
    _ hostile: Case
  ) async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let deviceKey = Curve25519.Signing.PrivateKey()
      let device = try await hub.addDevice(name: "truck-h", deviceKey: deviceKey.publicKey, logger: testLogger)
      let synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
      let good = try synthetic.make(plate: "7GOOD01", index: 0)
      let bad = try synthetic.make(plate: "7BAD001", index: 1, edit: hostile.edit)
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, device, port: port) { client in
          let reply = try await client.send(
            .POST, UplinkAPI.candidateBatches,
            body: UplinkAPI.encoder().encode(CandidateBatch(candidates: [good, bad])))
          #expect(reply.status == 400)
          let text = String(decoding: reply.body, as: UTF8.self)
          #expect(text.contains(hostile.field), "\(text)")
          #expect(text.contains(bad.id.uuidString))
        }
      }
      let service = try hub.service(logger: testLogger)
      #expect(try await service.storage.candidateCount() == 0)
      let refusals = try await service.storage.auditEntries().filter { $0.action == "ingest.batch" }
      #expect(refusals.count == 1)
      #expect(refusals.first?.outcome == "denied: out of bounds")
      #expect(refusals.first?.detail.contains("field=\(hostile.field)") == true)
      #expect(try await service.verifyAuditChain() == nil)
    }
  }

  @Test func batchesAndAggregatesOutOfBoundsAreRefused() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let deviceKey = Curve25519.Signing.PrivateKey()
      let device = try await hub.addDevice(name: "truck-b", deviceKey: deviceKey.publicKey, logger: testLogger)
      let synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
      let one = try synthetic.make(plate: "7ONE001")
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, device, port: port) { client in
          let many = CandidateBatch(
            candidates: Array(repeating: one, count: IngestValidation.maxCandidatesPerBatch + 1))
          let reply = try await client.send(.POST, UplinkAPI.candidateBatches, body: UplinkAPI.encoder().encode(many))
          #expect(reply.status == 400)
          #expect(String(decoding: reply.body, as: UTF8.self).contains("candidates"))
          let aggregates = AggregateBatch(aggregates: [
            WireAggregate(hour: Date(), areaKind: "zone", area: "zone-1", reads: -4, chalkMarks: 0, candidates: 0)
          ])
          let refused = try await client.send(.POST, UplinkAPI.aggregates, body: UplinkAPI.encoder().encode(aggregates))
          #expect(refused.status == 400)
          #expect(String(decoding: refused.body, as: UTF8.self).contains("aggregates[0].reads"))
        }
      }
      #expect(try await hub.service(logger: testLogger).storage.candidateCount() == 0)
    }
  }

  /// Data stored before the bounds existed (or by another writer) must not trap any page.
  @Test func pagesShowStoredOutOfRangeValuesWithoutTrapping() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory, reviewers: ["officer1": "correct horse"])
      let deviceKey = Curve25519.Signing.PrivateKey()
      _ = try await hub.addDevice(name: "truck-old", deviceKey: deviceKey.publicKey, logger: testLogger)
      let synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
      let wire = try synthetic.make(plate: "7OLD001") {
        $0.enforcedElapsedS = 1e300
        $0.sightings[0].uncertaintyM = 1e22
        $0.readConfidence = 1e300
        $0.distanceM = 1e300
      }
      let storage = try hub.service(logger: testLogger).storage
      _ = try await storage.ingest(
        [VerifiedCandidate(wire: wire, manifest: try WireManifest.decode(wire.manifest), deviceID: synthetic.deviceID)],
        receivedAt: Date())
      try await hub.serveWithReview(logger: testLogger) { _, reviewPort in
        try await ReviewClient.with(port: reviewPort, caPath: hub.pki.caCertificate) { client in
          #expect(try await client.login(name: "officer1", password: "correct horse", purpose: "citation review"))
          let queue = try await client.get("/queue")
          #expect(queue.status == 200)
          #expect(queue.text.contains("out of range"))
          let page = try await client.get("/candidates/\(wire.id.uuidString)")
          #expect(page.status == 200)
          #expect(page.text.contains("out of range"))
          #expect(page.text.contains("<svg"))
        }
      }
    }
  }
}
