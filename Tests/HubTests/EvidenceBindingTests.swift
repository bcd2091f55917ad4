// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import GRDB
import Hub
import HubDevTools
import Testing
import Uplink
import Vault

/// Evidence bound to the device that sealed it (HPKE `info` and associated data, format v2) and
/// to its candidate (the signed manifest names each evidence id and sealed digest), on the real
/// hub over HTTPS: evidence one vehicle sealed is refused in another's validly signed candidate,
/// evidence moved between candidates in the hub's database does not open, and v1 evidence
/// sealed before the binding still opens.
@Suite struct EvidenceBindingTests {
  @Test func evidenceSealedByAnotherVehicleIsRefusedInAValidlySignedCandidate() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let keyA = Curve25519.Signing.PrivateKey()
      let keyB = Curve25519.Signing.PrivateKey()
      _ = try await hub.addDevice(name: "truck-a", deviceKey: keyA.publicKey, logger: testLogger)
      let identityB = try await hub.addDevice(name: "truck-b", deviceKey: keyB.publicKey, logger: testLogger)
      let fromA = SyntheticCandidates(deviceKey: keyA, hubKey: hub.keys.hpke.publicKey)
      // B signs a manifest naming evidence that A sealed (ids and digests all consistent).
      var replay = SyntheticCandidates(deviceKey: keyB, hubKey: hub.keys.hpke.publicKey)
      replay.sealedAs = fromA.deviceID
      let hostile = try replay.make(plate: "7RPL001")
      let honest = try SyntheticCandidates(deviceKey: keyB, hubKey: hub.keys.hpke.publicKey).make(plate: "7RPL002")
      #expect(hostile.verified(by: keyB.publicKey) != nil, "the signature and digests are valid")
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, identityB, port: port) { client in
          let (status, ack) = try await post(CandidateBatch(candidates: [hostile, honest]), over: client)
          #expect(status == 200)
          #expect(ack?.results.map(\.disposition) == [.rejected, .stored])
          #expect(ack?.results.first?.reason?.contains("does not open as sealed by this vehicle") == true)
        }
      }
      let storage = try hub.service(logger: testLogger).storage
      #expect(try await storage.candidate(id: hostile.id) == nil)
      #expect(try await storage.candidateCount() == 1)
    }
  }

  @Test func evidenceMovedToAnotherCandidateInTheDatabaseDoesNotOpen() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let key = Curve25519.Signing.PrivateKey()
      let identity = try await hub.addDevice(name: "truck-m", deviceKey: key.publicKey, logger: testLogger)
      let synthetic = SyntheticCandidates(deviceKey: key, hubKey: hub.keys.hpke.publicKey)
      let (x, y) = (try synthetic.make(plate: "8MOV001", index: 0), try synthetic.make(plate: "8MOV002", index: 1))
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, identity, port: port) { client in
          let (status, ack) = try await post(CandidateBatch(candidates: [x, y]), over: client)
          #expect(status == 200 && ack?.results.allSatisfy { $0.disposition == .stored } == true)
        }
      }
      let service = try hub.service(logger: testLogger)
      let review = ReviewService(hub: service)
      #expect(try await review.open(x.id, reviewer: "officer1", purpose: "citation review").plateText == "8MOV001")
      // Whoever controls hub.sqlite puts Y's pictures under X (same device, same hub key).
      let raw = try DatabaseQueue(path: hub.configuration.database)
      try await raw.write { db in
        try db.execute(sql: "DELETE FROM evidence WHERE candidate_id = ?", arguments: [x.id.uuidString])
        try db.execute(
          sql: "UPDATE evidence SET candidate_id = ? WHERE candidate_id = ?",
          arguments: [x.id.uuidString, y.id.uuidString])
      }
      await #expect(throws: HubError.self) {
        _ = try await review.open(x.id, reviewer: "officer1", purpose: "citation review")
      }
    }
  }

  @Test func evidenceSealedBeforeTheBindingStillOpens() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let key = Curve25519.Signing.PrivateKey()
      let identity = try await hub.addDevice(name: "truck-l", deviceKey: key.publicKey, logger: testLogger)
      var legacy = SyntheticCandidates(deviceKey: key, hubKey: hub.keys.hpke.publicKey)
      legacy.unboundEvidence = true
      let old = try legacy.make(plate: "6LEG001")
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, identity, port: port) { client in
          let (status, ack) = try await post(CandidateBatch(candidates: [old]), over: client)
          #expect(status == 200 && ack?.results.first?.disposition == .stored)
        }
      }
      let review = ReviewService(hub: try hub.service(logger: testLogger))
      #expect(try await review.open(old.id, reviewer: "officer1", purpose: "citation review").plateText == "6LEG001")
    }
  }

  /// The format itself: v2 evidence names the device that sealed it, v1 names none, and the
  /// two formats' `info` labels keep one from opening as the other.
  @Test(arguments: [("v2", "dev-1"), ("v1", nil)] as [(String, String?)])
  func theSealedFormatNamesItsDevice(_ name: String, sealedAs: String?) throws {
    let hubKey = Curve25519.KeyAgreement.PrivateKey()
    let capture = EvidenceCapture(
      plateJPEG: Data([1, 2, 3]), vehicleJPEG: Data([4, 5, 6]), plateAlternatives: ["7ABC123"], capturedAt: Date())
    let sealed = try EvidenceSealer(recipient: hubKey.publicKey, device: sealedAs).seal(capture)
    let opened = try EvidenceOpener(privateKey: hubKey).open(sealed)
    #expect(opened.plateAlternatives == ["7ABC123"] && opened.sealedBy == sealedAs, "\(name)")
    #expect(throws: VaultError.self) {
      _ = try EvidenceOpener(privateKey: Curve25519.KeyAgreement.PrivateKey()).open(sealed)
    }
  }
}
