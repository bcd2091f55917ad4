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

@Suite struct RefusalTests {
  @Test func aRefusedCandidateStaysOnTheVehicleAndDoesNotBlockTheOthers() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let deviceKey = Curve25519.Signing.PrivateKey()
      let identity = try await hub.addDevice(name: "truck-4", deviceKey: deviceKey.publicKey, logger: testLogger)
      let synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
      var tampered = try synthetic.make(plate: "FORGED1")
      tampered.signature = Data(repeating: 7, count: 64)
      let forged = tampered
      let outbox = MemoryOutbox()
      outbox.enqueue([forged])
      outbox.enqueue(try (0..<12).map { try synthetic.make(plate: "GOOD\($0)", index: $0) })
      try await hub.serve(logger: testLogger) { port in
        let configuration = uplinkConfiguration(
          hub: hub, identity: identity, port: port, cache: directory.appendingPathComponent("cache"), batchSize: 5)
        let sync = UplinkSync(
          connection: try HubConnection(configuration: configuration, logger: testLogger), outbox: outbox,
          cache: try DistributionCache(
            directory: configuration.cacheDirectory, trustedKey: configuration.hubSigningKey, logger: testLogger),
          logger: testLogger)
        try await sync.whileOpen { sync in
          let report = try await sync.syncUntilDrained(maxFailures: 5)
          #expect(report.acknowledged == 12 && report.rejected == 1)
          #expect(outbox.ids == [forged.id])
          #expect(sync.status.current.rejected == 1)
        }
      }
      #expect(try await hub.service(logger: testLogger).storage.candidateCount() == 12)
    }
  }

  @Test func aNewSyncEngineResumesWhereTheLastOneStopped() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let vehicle = try TestVehicle(in: directory, hub: hub)
      let identity = try await hub.addDevice(name: "truck-5", deviceKey: vehicle.deviceKey, logger: testLogger)
      try vehicle.enqueue(40)
      try await hub.serve(logger: testLogger) { port in
        let configuration = uplinkConfiguration(
          hub: hub, identity: identity, port: port, cache: directory.appendingPathComponent("cache"), batchSize: 10)
        let first = try UplinkSync.forVehicle(configuration: configuration, vault: vehicle.vault, logger: testLogger)
        try await first.whileOpen { first in
          _ = try await first.sendNextBatch()
          _ = try await first.sendNextBatch()
        }
        #expect(try vehicle.vault.pendingCandidateCount() == 20)
        let second = try UplinkSync.forVehicle(configuration: configuration, vault: vehicle.vault, logger: testLogger)
        let report = try await second.whileOpen { try await $0.syncOnce() }
        #expect(report.acknowledged == 20)
      }
      #expect(try vehicle.vault.pendingCandidateCount() == 0)
      #expect(try await hub.service(logger: testLogger).storage.candidateCount() == 40)
    }
  }
}
