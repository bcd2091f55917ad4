// SPDX-License-Identifier: AGPL-3.0-or-later
import Agent
import ChalklineTestKit
import Crypto
import Foundation
import Hub
import HubDevTools
import Testing
import Uplink
import Wire

/// The hub's signed audit checkpoints reach vehicles: each sync fetches the newest over HTTPS
/// from the real hub, the vehicle verifies it with the audit key of the signed keys document and
/// against those it holds, and keeps it in `hub-audit-checkpoints.jsonl`, a file
/// `chalkline-hub audit-verify --checkpoint` takes as it is. A cut or rewritten hub audit and a
/// forged signature are refused and shown in the status; what was kept stays.
@Suite struct HubCheckpointSyncTests {
  @Test func theVehicleKeepsVerifiedCheckpointsTheOfficerCanVerifyTheHubWith() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let vehicle = try TestVehicle(in: directory, hub: hub)
      let identity = try await hub.addDevice(name: "truck-c", deviceKey: vehicle.deviceKey, logger: testLogger)
      let cache = directory.appendingPathComponent("cache")
      try await hub.serve(logger: testLogger) { port in
        let configuration = uplinkConfiguration(hub: hub, identity: identity, port: port, cache: cache)
        let sync = try UplinkSync.forVehicle(configuration: configuration, vault: vehicle.vault, logger: testLogger)
        try await sync.whileOpen { sync in
          _ = try await sync.syncOnce()
          let first = try #require(sync.checkpoints.latest)
          #expect(first.reason == "start" && first.isValid(for: hub.keys.audit.publicKey))
          #expect(sync.status.current.hubCheckpoint == "\(first.sequence) entries at \(first.at)")
          _ = try await hub.service(logger: testLogger).checkpoint(reason: "on demand")
          _ = try await sync.syncOnce()
          _ = try await sync.syncOnce()
          #expect(sync.checkpoints.all.map(\.reason) == ["start", "on demand"])
          #expect(sync.status.current.hubAuditProblem == nil)
        }
      }
      // A restarted vehicle holds the same checkpoints.
      #expect(HubCheckpointStore(directory: cache, logger: testLogger).all.map(\.reason) == ["start", "on demand"])
      // The vehicle's file, as it is, verifies the hub's audit.
      let file = cache.appendingPathComponent("hub-audit-checkpoints.jsonl").path
      let encoder = JSONEncoder()
      encoder.keyEncodingStrategy = .convertToSnakeCase
      let config = directory.appendingPathComponent("hub.json").path
      try encoder.encode(hub.configuration).write(to: URL(fileURLWithPath: config))
      let result = try runCommand(
        TestPaths.product("chalkline-hub"), ["audit-verify", "--config", config, "--checkpoint", file])
      #expect(result.status == 0 && result.standardOutput.contains("2 checkpoints"), "\(result.standardOutput)")
    }
  }

  @Test func aRewrittenOrCutHubAuditAndAForgedCheckpointAreRefused() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let vehicle = try TestVehicle(in: directory, hub: hub)
      let identity = try await hub.addDevice(name: "truck-d", deviceKey: vehicle.deviceKey, logger: testLogger)
      let storage = try hub.service(logger: testLogger).storage
      try await hub.serve(logger: testLogger) { port in
        let configuration = uplinkConfiguration(
          hub: hub, identity: identity, port: port, cache: directory.appendingPathComponent("cache"))
        let sync = try UplinkSync.forVehicle(configuration: configuration, vault: vehicle.vault, logger: testLogger)
        try await sync.whileOpen { sync in
          _ = try await sync.syncOnce()
          let held = try #require(sync.checkpoints.latest)
          // The operator, who holds the audit key, signs the same count with another head...
          try await storage.saveCheckpoint(
            try AuditCheckpoint.signed(
              sequence: held.sequence, head: String(repeating: "0", count: 64), at: Date().addingTimeInterval(1),
              reason: "hourly", key: hub.keys.audit))
          _ = try await sync.syncOnce()
          #expect(sync.status.current.hubAuditProblem?.contains("rewritten") == true)
          // ...then fewer entries than the vehicle saw...
          try await storage.saveCheckpoint(
            try AuditCheckpoint.signed(
              sequence: max(0, held.sequence - 1), head: "cut", at: Date().addingTimeInterval(2), reason: "hourly",
              key: hub.keys.audit))
          _ = try await sync.syncOnce()
          #expect(sync.status.current.hubAuditProblem?.contains("cut") == true)
          // ...and a checkpoint signed by a key that is not the hub's audit key.
          try await storage.saveCheckpoint(
            try AuditCheckpoint.signed(
              sequence: held.sequence + 5, head: "forged", at: Date().addingTimeInterval(3), reason: "hourly",
              key: Curve25519.Signing.PrivateKey()))
          _ = try await sync.syncOnce()
          #expect(sync.status.current.hubAuditProblem?.contains("not signed") == true)
          #expect(sync.checkpoints.all == [held], "nothing refused was kept")
        }
      }
    }
  }
}
