// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import GRDB
import Hub
import HubDevTools
import Testing
import Wire

/// `keys rotate` on the real hub: evidence sealed to the old key still opens, the next start
/// publishes the new public key in the signed keys document, and the retired key is deleted
/// only once no held evidence can be sealed to it.
@Suite struct KeyRotationTests {
  @Test func rotatedKeysStillOpenOldEvidenceAndGoWhenItIsGone() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let deviceKey = Curve25519.Signing.PrivateKey()
      let identity = try await hub.addDevice(name: "truck-k", deviceKey: deviceKey.publicKey, logger: testLogger)
      let before = try SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey).make(plate: "7OLD123")
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, identity, port: port) { client in
          let (status, _) = try await post(CandidateBatch(candidates: [before]), over: client)
          #expect(status == 200)
        }
      }
      let keys = try await HubService.rotateSealingKey(
        configuration: hub.configuration, actor: "os:tester", purpose: "annual rotation", logger: testLogger)
      #expect(keys.hpke.publicKey.rawRepresentation != hub.keys.hpke.publicKey.rawRepresentation)
      #expect(keys.retired.count == 1)
      let service = HubService(
        configuration: hub.configuration, storage: try SQLiteHubStorage(path: hub.configuration.database), keys: keys,
        logger: testLogger)
      let synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: keys.hpke.publicKey)
      let after = try synthetic.make(plate: "7NEW456")
      // What `serve` does at start: the keys document now carries the new public key.
      try await service.publishAll()
      let document = try #require(try await service.storage.latestDocument(.keys))
      #expect(try UplinkAPI.decoder().decode(HubPublicKeys.self, from: document.body) == keys.publicKeys)
      #expect(document.version == 2)
      _ = try await service.storage.ingest(
        [
          VerifiedCandidate(
            wire: after, manifest: try WireManifest.decode(after.manifest), deviceID: synthetic.deviceID)
        ],
        receivedAt: Date())
      let review = ReviewService(hub: service)
      #expect(try await review.open(before.id, reviewer: "officer1", purpose: "citation review").plateText == "7OLD123")
      #expect(try await review.open(after.id, reviewer: "officer1", purpose: "citation review").plateText == "7NEW456")
      // The old candidate's evidence is still held: the retired key stays, even long after.
      #expect(try await service.pruneRetiredKeys(now: Date().addingTimeInterval(40 * 86_400)) == 0)
      let raw = try DatabaseQueue(path: hub.configuration.database)
      try await raw.write {
        try $0.execute(sql: "DELETE FROM evidence WHERE candidate_id = ?", arguments: [before.id.uuidString])
      }
      // The new candidate arrived after the rotation: more than the grace later, the old key goes.
      #expect(try await service.pruneRetiredKeys(now: Date().addingTimeInterval(40 * 86_400)) == 0)
      try await raw.write {
        try $0.execute(
          sql: "UPDATE candidate SET received_at = ? WHERE id = ?",
          arguments: [Int64(Date().addingTimeInterval(31 * 86_400).timeIntervalSince1970 * 1000), after.id.uuidString])
      }
      #expect(try await service.pruneRetiredKeys(now: Date().addingTimeInterval(40 * 86_400)) == 1)
      #expect(try HubKeys.load(from: hub.configuration.keysDirectory).retired.isEmpty)
      let actions = try await service.storage.auditEntries().map(\.action)
      #expect(actions.contains("keys.rotate") && actions.contains("keys.prune-retired"))
    }
  }
}
