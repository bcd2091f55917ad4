// SPDX-License-Identifier: AGPL-3.0-or-later
import Agent
import Crypto
import Foundation
import Hub
import HubDevTools
import Testing
import Uplink
import Vault
import Wire

/// A vehicle's device key rotated (`chalkline keys rotate --device`) while candidates signed with
/// the old key wait in its outbox: after the hub re-keys it (`devices add` with the new key) they
/// sync over HTTPS to the real hub, verify with the old key and open for review, beside those
/// signed with the new one. A key `devices revoke` revoked gets no such grace.
@Suite struct DeviceRekeySyncTests {
  @Test func candidatesSignedBeforeTheRotationSyncAfterTheRekey() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let vehicle = try TestVehicle(in: directory, hub: hub)
      let oldID = keyFingerprint(vehicle.deviceKey.rawRepresentation)
      let identity = try await hub.addDevice(name: "truck-r", deviceKey: vehicle.deviceKey, logger: testLogger)
      let before = try vehicle.enqueue(3)
      try vehicle.vault.rotateDeviceKey(actor: "test", purpose: "annual rotation")
      let newKey = vehicle.vault.keyring.deviceKey.publicKey
      try await hub.service(logger: testLogger).registerDevice(
        name: "truck-r", certificatePath: identity.certificate, signingKey: newKey.rawRepresentation, actor: "test",
        purpose: "re-key after rotation")
      let rotated = try TestVehicle(reopening: vehicle)
      let after = try rotated.enqueue(2, offset: 3)
      let report = try await syncOnce(hub, vehicle, identity, in: directory)
      #expect(report.acknowledged == 5 && report.rejected == 0)
      #expect(try vehicle.vault.pendingCandidateCount() == 0)
      let service = try hub.service(logger: testLogger)
      let review = ReviewService(hub: service)
      let newID = keyFingerprint(newKey.rawRepresentation)
      for (id, plate) in before.merging(after, uniquingKeysWith: { a, _ in a }) {
        let stored = try #require(try await service.storage.candidate(id: id))
        #expect(stored.device == (before[id] != nil ? oldID : newID))
        let opened = try await review.open(id, reviewer: "officer1", purpose: "citation review")
        #expect(opened.plateText == plate)
      }
    }
  }

  @Test func candidatesOfARevokedKeyStayRefused() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let vehicle = try TestVehicle(in: directory, hub: hub)
      _ = try await hub.addDevice(name: "truck-s", deviceKey: vehicle.deviceKey, logger: testLogger)
      try vehicle.enqueue(2)
      // Stolen: revoked, then a new vehicle (new key, new certificate) under the same name.
      try await hub.service(logger: testLogger).revokeDevice(name: "truck-s", actor: "test", purpose: "stolen")
      try vehicle.vault.rotateDeviceKey(actor: "test", purpose: "replacement")
      let identity = try await hub.addDevice(
        name: "truck-s", deviceKey: vehicle.vault.keyring.deviceKey.publicKey, logger: testLogger)
      let report = try await syncOnce(hub, vehicle, identity, in: directory)
      #expect(report.acknowledged == 0 && report.rejected == 2)
      #expect(try await hub.service(logger: testLogger).storage.candidateCount() == 0)
      #expect(try vehicle.vault.pendingCandidateCount() == 2, "refused candidates are kept, never deleted")
    }
  }

  @Test func anOldKeyCannotSignACandidateDecidedAfterTheRekey() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let vehicle = try TestVehicle(in: directory, hub: hub)
      let identity = try await hub.addDevice(name: "truck-t", deviceKey: vehicle.deviceKey, logger: testLogger)
      // Signed with the old key, but decided an hour after the re-key below.
      try vehicle.enqueue(1, decidedAt: Date().addingTimeInterval(3600))
      try vehicle.vault.rotateDeviceKey(actor: "test", purpose: "rotation")
      try await hub.service(logger: testLogger).registerDevice(
        name: "truck-t", certificatePath: identity.certificate,
        signingKey: vehicle.vault.keyring.deviceKey.publicKey.rawRepresentation, actor: "test", purpose: "re-key")
      let report = try await syncOnce(hub, vehicle, identity, in: directory)
      #expect(report.rejected == 1 && report.acknowledged == 0)
      #expect(try await hub.service(logger: testLogger).storage.candidateCount() == 0)
    }
  }

  /// One sync of the vehicle's vault with the hub over HTTPS on loopback.
  func syncOnce(
    _ hub: LoopbackHub, _ vehicle: TestVehicle, _ identity: DevelopmentPKI.Identity, in directory: URL
  ) async throws -> UplinkSync.Report {
    try await hub.serve(logger: testLogger) { port in
      let configuration = uplinkConfiguration(
        hub: hub, identity: identity, port: port, cache: directory.appendingPathComponent("cache"))
      let sync = try UplinkSync.forVehicle(configuration: configuration, vault: vehicle.vault, logger: testLogger)
      return try await sync.whileOpen { sync in try await sync.syncOnce() }
    }
  }
}
