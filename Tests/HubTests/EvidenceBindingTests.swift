// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import GRDB
import Hub
import HubDevTools
import Testing
import Wire

/// Evidence bound to the device that sealed it and to its candidate by HPKE `info` and associated
/// data (format v3), besides the signed manifest that names each evidence id and sealed digest, on
/// the real hub over HTTPS: evidence one vehicle sealed is refused in another's validly signed
/// candidate, evidence sealed for one candidate is refused under another's validly signed manifest,
/// evidence moved between candidates in the hub's database does not open, and v1 and v2 evidence
/// sealed before v3 still opens, audited as such (the transition).
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

  @Test func evidenceSealedForAnotherCandidateIsRefusedUnderItsValidlySignedManifest() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let key = Curve25519.Signing.PrivateKey()
      let identity = try await hub.addDevice(name: "truck-c", deviceKey: key.publicKey, logger: testLogger)
      let honest = SyntheticCandidates(deviceKey: key, hubKey: hub.keys.hpke.publicKey)
      let a = try honest.make(plate: "5CAN001")
      // The same vehicle signs candidate B naming evidence it sealed for candidate A: the manifest's
      // ids and digests are all consistent, so only the sealing itself can tell.
      var moved = honest
      moved.sealedFor = a.id
      let b = try moved.make(plate: "5CAN002")
      let manifest = try #require(b.verified(by: key.publicKey), "the signature and digests are valid")
      #expect(throws: HubError.self) {
        _ = try hub.keys.openEvidence(
          b.evidence, manifest: manifest, candidate: b.id, sighting: 0, devices: [honest.deviceID])
      }
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, identity, port: port) { client in
          let (status, ack) = try await post(CandidateBatch(candidates: [b, a]), over: client)
          #expect(status == 200)
          #expect(ack?.results.map(\.disposition) == [.rejected, .stored])
          #expect(ack?.results.first?.reason?.contains("for this candidate") == true)
        }
      }
      let storage = try hub.service(logger: testLogger).storage
      #expect(try await storage.candidate(id: b.id) == nil)
      let refusals = try await storage.auditEntries().filter {
        $0.action == "ingest.evidence" && $0.detail.contains(b.id.uuidString)
      }
      #expect(refusals.count == 1 && refusals.first?.outcome.hasPrefix("denied") == true, "\(refusals)")
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

  /// The transition: evidence a vehicle sealed before v3 (a mark chalked before its upgrade) is
  /// still taken, bound by the manifest only, and audited as such; v3 evidence is not.
  @Test(arguments: ["v1", "v2", "v3"])
  func evidenceSealedBeforeV3StillOpensOnRecord(_ format: String) async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let key = Curve25519.Signing.PrivateKey()
      let identity = try await hub.addDevice(name: "truck-l", deviceKey: key.publicKey, logger: testLogger)
      var legacy = SyntheticCandidates(deviceKey: key, hubKey: hub.keys.hpke.publicKey)
      legacy.unboundEvidence = format == "v1"
      legacy.v2Evidence = format == "v2"
      let old = try legacy.make(plate: "6LEG001")
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, identity, port: port) { client in
          let (status, ack) = try await post(CandidateBatch(candidates: [old]), over: client)
          #expect(status == 200 && ack?.results.first?.disposition == .stored)
        }
      }
      let service = try hub.service(logger: testLogger)
      let review = ReviewService(hub: service)
      #expect(try await review.open(old.id, reviewer: "officer1", purpose: "citation review").plateText == "6LEG001")
      let recorded = try await service.storage.auditEntries().filter {
        $0.action == "ingest.evidence" && $0.detail.contains(old.id.uuidString)
      }
      if format == "v3" {
        #expect(recorded.isEmpty, "\(recorded)")
      } else {
        #expect(recorded.map(\.outcome) == ["allowed: sealed before v3 (sightings 0,1)"], "\(format)")
      }
    }
  }

  /// The transition ended (`accept_evidence_before_v3: false`): evidence sealed before v3 is
  /// refused at ingest, audited, and v3 evidence still taken.
  @Test func aHubThatEndedTheTransitionRefusesEvidenceSealedBeforeV3() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let key = Curve25519.Signing.PrivateKey()
      _ = try await hub.addDevice(name: "truck-e", deviceKey: key.publicKey, logger: testLogger)
      var configuration = hub.configuration
      configuration.acceptEvidenceBeforeV3 = false
      let service = HubService(
        configuration: configuration, storage: try SQLiteHubStorage(path: configuration.database), keys: hub.keys,
        logger: testLogger)
      let record = try #require(try await service.storage.devices().first)
      var legacy = SyntheticCandidates(deviceKey: key, hubKey: hub.keys.hpke.publicKey)
      legacy.v2Evidence = true
      let old = try legacy.make(plate: "6END001")
      let new = try SyntheticCandidates(deviceKey: key, hubKey: hub.keys.hpke.publicKey).make(plate: "6END002")
      let ack = try await service.ingest(CandidateBatch(candidates: [old, new]), from: record)
      #expect(ack.results.map(\.disposition) == [.rejected, .stored])
      #expect(ack.results.first?.reason?.contains("sealed before format v3") == true)
      let audited = try await service.storage.auditEntries().filter { $0.action == "ingest.evidence" }
      #expect(
        audited.map(\.outcome) == ["denied: sealed before v3"]
          && audited.first?.detail.contains(old.id.uuidString) == true)
      let decoded = try JSONDecoder.snakeCase.decode(
        HubConfiguration.self,
        from: Data(
          #"{"tls": {"certificate": "c", "private_key": "k", "client_ca": "a"}, "accept_evidence_before_v3": false}"#
            .utf8))
      #expect(decoded.acceptEvidenceBeforeV3 == false)
    }
  }

  /// The format before v3: v2 evidence names the device that sealed it, v1 names none, and the
  /// two formats' `info` labels keep one from opening as the other.
  @Test(arguments: [("v2", "dev-1"), ("v1", nil)] as [(String, String?)])
  func theSealedFormatNamesItsDevice(_ name: String, sealedAs: String?) throws {
    let hubKey = Curve25519.KeyAgreement.PrivateKey()
    let sealed = try EvidenceSealer(recipient: hubKey.publicKey, device: sealedAs).seal(Self.capture)
    let opened = try EvidenceOpener(privateKey: hubKey).open(sealed)
    #expect(opened.plateAlternatives == ["7ABC123"] && opened.sealedBy == sealedAs, "\(name)")
    #expect(opened.sealedFor == nil)
    #expect(throws: WireError.self) {
      _ = try EvidenceOpener(privateKey: Curve25519.KeyAgreement.PrivateKey()).open(sealed)
    }
  }

  static let capture = EvidenceCapture(
    plateJPEG: Data([1, 2, 3]), vehicleJPEG: Data([4, 5, 6]), plateAlternatives: ["7ABC123"], capturedAt: Date())

  /// Format v3 opens only for a candidate it was sealed for and as the device that sealed it, with
  /// the hub key (the device may be any of those the hub expects: a re-keyed vehicle's).
  @Test(
    arguments: [
      ("its candidate and device", candidateA, ["dev-x"], true),
      ("its candidate, the device among those expected", candidateA, ["dev-y", "dev-x"], true),
      ("another candidate", candidateB, ["dev-x"], false),
      ("another device", candidateA, ["dev-y"], false),
      ("a device whose id prefixes the sealer's", candidateA, ["dev-"], false),
      ("no device", candidateA, [], false),
    ] as [(String, UUID, [String], Bool)])
  func v3OpensOnlyForItsCandidateAndDevice(_ name: String, candidate: UUID, devices: [String], opens: Bool) throws {
    let hubKey = Curve25519.KeyAgreement.PrivateKey()
    let stored = try EvidenceSealer(recipient: hubKey.publicKey, device: "dev-x").seal(Self.capture, for: [candidateA])
    let sent = try stored.bound(to: candidateA)
    let opener = EvidenceOpener(privateKey: hubKey)
    if opens {
      let opened = try opener.open(sent, candidate: candidate, devices: devices)
      #expect(opened.plateAlternatives == ["7ABC123"] && opened.sealedBy == "dev-x" && opened.sealedFor == candidateA)
    } else {
      #expect(throws: WireError.self, "\(name)") { _ = try opener.open(sent, candidate: candidate, devices: devices) }
    }
    // Never without the binding for its candidate, never as the format before v3, never with another key.
    #expect(throws: WireError.self) { _ = try stored.bound(to: candidateB) }
    #expect(throws: WireError.self) { _ = try opener.open(sent) }
    #expect(throws: WireError.self) {
      _ = try EvidenceOpener(privateKey: Curve25519.KeyAgreement.PrivateKey()).open(
        sent, candidate: candidateA, devices: ["dev-x"])
    }
  }

  /// One evidence, sealed for several candidates (a chalk mark's first picture: its stay and a
  /// return too soon after it), opens for each as that candidate only.
  @Test func v3EvidenceSealedForTwoCandidatesOpensForEachAsItself() throws {
    let hubKey = Curve25519.KeyAgreement.PrivateKey()
    let stored = try EvidenceSealer(recipient: hubKey.publicKey, device: "dev-x").seal(
      Self.capture, for: [candidateA, candidateB, candidateA])
    #expect(stored.bindings.map(\.candidate) == [candidateA, candidateB])
    let opener = EvidenceOpener(privateKey: hubKey)
    for (mine, other) in [(candidateA, candidateB), (candidateB, candidateA)] {
      let sent = try stored.bound(to: mine)
      #expect(try opener.open(sent, candidate: mine, devices: ["dev-x"]).sealedFor == mine)
      #expect(throws: WireError.self) { _ = try opener.open(sent, candidate: other, devices: ["dev-x"]) }
    }
    // A binding's data key put before the other binding's encapsulated key opens nothing.
    let a = try stored.bound(to: candidateA)
    let b = try stored.bound(to: candidateB)
    let spliced = SealedEvidence(
      id: a.id, capturedAt: a.capturedAt, plateSHA256: a.plateSHA256, vehicleSHA256: a.vehicleSHA256,
      encapsulatedKey: b.encapsulatedKey, ciphertext: a.ciphertext)
    for candidate in [candidateA, candidateB] {
      #expect(throws: WireError.self) { _ = try opener.open(spliced, candidate: candidate, devices: ["dev-x"]) }
    }
  }
}

private let candidateA = UUID()
private let candidateB = UUID()

extension JSONDecoder {
  fileprivate static var snakeCase: JSONDecoder {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return decoder
  }
}
