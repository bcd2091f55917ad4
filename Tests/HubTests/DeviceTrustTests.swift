// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Hub
import HubDevTools
import NIOHTTP1
import Testing
import Uplink
import Wire

/// Devices on the real hub: revocation refuses a certificate from the next request; re-keying
/// keeps the vehicle's candidates; every change is audited; the vehicle's audit heads are
/// recorded and a rewrite or cut of its log shows.
@Suite struct DeviceTrustTests {
  @Test func revokedAtOnceReKeyedWithItsHistory() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let oldKey = Curve25519.Signing.PrivateKey()
      let identity = try await hub.addDevice(name: "truck-r", deviceKey: oldKey.publicKey, logger: testLogger)
      let old = SyntheticCandidates(deviceKey: oldKey, hubKey: hub.keys.hpke.publicKey)
      let newKey = Curve25519.Signing.PrivateKey()
      let new = SyntheticCandidates(deviceKey: newKey, hubKey: hub.keys.hpke.publicKey)
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, identity, port: port) { client in
          let (status, _) = try await post(CandidateBatch(candidates: [try old.make(plate: "7OLDKEY")]), over: client)
          #expect(status == 200)
        }
        // Re-keyed under the same certificate (the vehicle's key rotated): no foreign-key failure.
        let service = try hub.service(logger: testLogger)
        try await service.registerDevice(
          name: "truck-r", certificatePath: identity.certificate, signingKey: newKey.publicKey.rawRepresentation,
          actor: "os:tester", purpose: "key rotation")
        try await withConnection(hub, identity, port: port) { client in
          let (_, ack) = try await post(CandidateBatch(candidates: [try new.make(plate: "7NEWKEY")]), over: client)
          #expect(ack?.results.first?.disposition == .stored)
        }
        try await service.revokeDevice(name: "truck-r", actor: "os:tester", purpose: "vehicle stolen")
        try await withConnection(hub, identity, port: port) { client in
          let (status, _) = try await post(CandidateBatch(candidates: [try new.make(plate: "7LATER1")]), over: client)
          #expect(status == 403)
          #expect(try await client.send(.GET, UplinkAPI.distribution(.keys)).status == 403)
        }
      }
      let service = try hub.service(logger: testLogger)
      let devices = try await service.storage.devices()
      #expect(devices.count == 2 && devices.allSatisfy { $0.name == "truck-r" && $0.revokedAt != nil })
      let held = try await service.storage.candidates(reviewState: nil, limit: 10)
      #expect(Set(held.map(\.device)) == [old.deviceID, new.deviceID])
      let actions = try await service.storage.auditEntries().filter { $0.action.hasPrefix("device.") }
      #expect(actions.map(\.action) == ["device.add", "device.rekey", "device.revoke"])
      #expect(actions[1].detail.contains("replaced=\(old.deviceID)") && actions[1].actor == "os:tester")
      #expect(actions[2].purpose == "vehicle stolen")
      // The review page names the vehicle, not only its key.
      let opened = try await ReviewService(hub: service).open(
        held[0].id, reviewer: "officer1", purpose: "citation review")
      #expect(opened.deviceName == "truck-r")
    }
  }

  @Test func aVehiclesAuditHeadIsRecordedAndARewriteShows() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let key = Curve25519.Signing.PrivateKey()
      let identity = try await hub.addDevice(name: "truck-a", deviceKey: key.publicKey, logger: testLogger)
      let synthetic = SyntheticCandidates(deviceKey: key, hubKey: hub.keys.hpke.publicKey)
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, identity, port: port) { client in
          for (sequence, hash) in [(3, "aa"), (3, "aa"), (5, "bb"), (5, "cc"), (4, "dd")] {
            let batch = CandidateBatch(
              candidates: [try synthetic.make(plate: "7HEAD01")],
              auditHead: WireAuditHead(sequence: sequence, hash: hash))
            #expect(try await post(batch, over: client).0 == 200)
          }
        }
      }
      let heads = try await hub.service(logger: testLogger).storage.auditEntries().filter {
        $0.action == "device.audit-head"
      }
      #expect(
        heads.map(\.outcome) == [
          "allowed", "allowed", "denied: vehicle audit rewritten at entry 5",
          "denied: vehicle audit cut (entry 5 was recorded before)",
        ])
    }
  }
}
