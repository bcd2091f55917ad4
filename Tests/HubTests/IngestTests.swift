// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Hub
import HubDevTools
import NIOHTTP1
import Testing
import Uplink
import Wire

@Suite struct IngestTests {
  @Test func theHubRefusesWhatItMustAndDeduplicatesReplays() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let deviceKey = Curve25519.Signing.PrivateKey()
      let device = try await hub.addDevice(name: "truck-1", deviceKey: deviceKey.publicKey, logger: testLogger)
      let unregistered = try hub.pki.issue(name: "unregistered")
      let expired = try hub.pki.issue(name: "expired", expired: true)
      let foreign = try DevelopmentPKI.create(in: directory.appendingPathComponent("foreign"), commonName: "Other CA")
        .issue(name: "foreign")
      let synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
      let batch = CandidateBatch(candidates: try (0..<5).map { try synthetic.make(plate: "7XYZ00\($0)", index: $0) })
      let storage = try hub.service(logger: testLogger).storage

      try await hub.serve(logger: testLogger) { port in
        // A certificate from another CA, or an expired one, fails the TLS handshake.
        for identity in [foreign, expired] {
          try await withConnection(hub, identity, port: port) { client in
            await #expect(throws: UplinkError.self) { try await post(batch, over: client) }
          }
        }
        // A valid certificate that no device was registered with is refused.
        try await withConnection(hub, unregistered, port: port) { stranger in
          let (strangerStatus, _) = try await post(batch, over: stranger)
          #expect(strangerStatus == 403)
        }

        try await withConnection(hub, device, port: port) { client in
          // A manifest altered after signing is rejected per candidate and not stored.
          var tampered = batch.candidates[0]
          tampered.manifest = Data(
            String(decoding: tampered.manifest, as: UTF8.self).replacingOccurrences(of: "max_stay", with: "permit").utf8
          )
          var swappedEvidence = batch.candidates[1]
          swappedEvidence.evidence.reverse()
          let (status, ack) = try await post(CandidateBatch(candidates: [tampered, swappedEvidence]), over: client)
          #expect(status == 200)
          #expect(ack?.results.map(\.disposition) == [.rejected, .rejected])
          #expect(try await storage.candidateCount() == 0)

          // A malformed body is a 400.
          let garbage = try await client.send(.POST, UplinkAPI.candidateBatches, body: Data("{\"nope\":1}".utf8))
          #expect(garbage.status == 400)

          // The batch is stored once; its replay is acknowledged as duplicates.
          let (firstStatus, first) = try await post(batch, over: client)
          #expect(firstStatus == 200 && first?.results.allSatisfy { $0.disposition == .stored } == true)
          let (_, replay) = try await post(batch, over: client)
          #expect(replay?.results.allSatisfy { $0.disposition == .duplicate } == true)
          #expect(replay?.results.map(\.id) == batch.candidates.map(\.id))
          #expect(try await storage.candidateCount() == 5)

          // The same id with a different (validly signed) manifest is refused, not overwritten.
          let impostor = try synthetic.make(id: batch.candidates[2].id, plate: "OTHER1", index: 99)
          let (_, clash) = try await post(CandidateBatch(candidates: [impostor]), over: client)
          #expect(clash?.results.first?.disposition == .rejected)

          // Another device's valid candidates sent under this device's certificate are refused.
          let other = SyntheticCandidates(deviceKey: Curve25519.Signing.PrivateKey(), hubKey: hub.keys.hpke.publicKey)
          let (_, foreignAck) = try await post(CandidateBatch(candidates: [try other.make(plate: "X")]), over: client)
          #expect(foreignAck?.results.first?.disposition == .rejected)
        }
      }
      #expect(try await storage.candidateCount() == 5)
    }
  }

  @Test func documentsAreSignedAndAnswer304WhenUnchanged() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let zones = Data("{\"data\":{\"curb_zones\":[]},\"time_zone\":\"America/Los_Angeles\"}".utf8)
      try zones.write(
        to: URL(fileURLWithPath: hub.configuration.distributionDirectory).appendingPathComponent("zones.json"))
      let device = try await hub.addDevice(
        name: "truck-2", deviceKey: Curve25519.Signing.PrivateKey().publicKey, logger: testLogger)
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, device, port: port) { client in
          let reply = try await client.send(.GET, UplinkAPI.distribution(.zones))
          #expect(reply.status == 200)
          let document = try UplinkAPI.decoder().decode(SignedDocument.self, from: reply.body)
          #expect(document.body == zones && document.isValid(for: hub.keys.signing.publicKey))
          let again = try await client.send(
            .GET, UplinkAPI.distribution(.zones), headers: [("If-None-Match", "\"\(document.version)\"")])
          #expect(again.status == 304)
          let keys = try await client.send(.GET, UplinkAPI.distribution(.keys))
          let keyDocument = try UplinkAPI.decoder().decode(SignedDocument.self, from: keys.body)
          #expect(try UplinkAPI.decoder().decode(HubPublicKeys.self, from: keyDocument.body) == hub.keys.publicKeys)
          #expect(try await client.send(.GET, UplinkAPI.distribution(.permits)).status == 404)
        }
      }
    }
  }
}
