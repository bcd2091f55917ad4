// SPDX-License-Identifier: AGPL-3.0-or-later
import Agent
import ChalklineTestKit
import Foundation
import Hub
import HubDevTools
import Hummingbird
import Testing
import Uplink
import Vault
import Wire

/// Answers every candidate batch with a well-formed HTTP 200 whose body is garbage, after the
/// hub stored the batch: the worst case for a device that trusted any 200.
struct GarbageReplies: RouterMiddleware {
  typealias Context = HubRequestContext
  let body: String

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    let response = try await next(request, context)
    guard request.uri.path == UplinkAPI.candidateBatches else { return response }
    return Response(
      status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body)))
  }
}

@Suite struct SyncTests {
  @Test func candidatesAggregatesAndDocumentsSyncFromTheVault() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      try Data("{\"data\":{\"curb_zones\":[],\"curb_policies\":[]},\"time_zone\":\"America/Los_Angeles\"}".utf8)
        .write(to: URL(fileURLWithPath: hub.configuration.distributionDirectory).appendingPathComponent("zones.json"))
      let vehicle = try TestVehicle(in: directory, hub: hub)
      let identity = try await hub.addDevice(name: "truck-7", deviceKey: vehicle.deviceKey, logger: testLogger)
      try vehicle.enqueue(120)
      try vehicle.vault.addToAggregate(
        hour: Date(), area: .tract("06085500100"), reads: 40, chalkMarks: 12, candidates: 3)
      try await hub.serve(logger: testLogger) { port in
        let configuration = uplinkConfiguration(
          hub: hub, identity: identity, port: port, cache: directory.appendingPathComponent("cache"))
        let received = LockedBox<[DistributionKind]>([])
        let sync = try UplinkSync.forVehicle(configuration: configuration, vault: vehicle.vault, logger: testLogger) {
          document in received.mutate { $0.append(document.kind) }
        }
        try await sync.whileOpen { sync in
          let report = try await sync.syncOnce()
          #expect(report.acknowledged == 120)
          #expect(Set(report.documentsUpdated) == [.keys, .zones])
          #expect(received.value.count == 2)
          #expect(try vehicle.vault.pendingCandidateCount() == 0)
          #expect(try vehicle.vault.aggregates(unsyncedOnly: true).isEmpty)
          let second = try await sync.syncOnce()
          #expect(second.documentsUpdated.isEmpty, "unchanged documents answer 304")
          let status = sync.status.current
          #expect(status.connected && status.backlog == 0 && status.sent == 120 && status.lastSuccess != nil)
          #expect(status.documentVersions == ["keys": 1, "zones": 1])
        }
      }
      #expect(try await hub.service(logger: testLogger).storage.candidateCount() == 120)
      // Each batch carried the vault's audit head at sending; the hub recorded them.
      let vehicleHashes = Set(
        try vehicle.vault.auditEntries(limit: 100_000).map { $0.hash.map { String(format: "%02x", $0) }.joined() })
      let heads = try await hub.service(logger: testLogger).storage.auditEntries().filter {
        $0.action == "device.audit-head"
      }
      #expect(!heads.isEmpty && heads.allSatisfy { $0.outcome == "allowed" })
      #expect(heads.allSatisfy { head in vehicleHashes.contains { head.detail.hasSuffix("hash=\($0)") } })
    }
  }

  // The first body once hung the sync: an acknowledgement naming none of the sent candidates made
  // every pass resend the same batch forever. Acknowledgements must now answer for every candidate.
  @Test(
    arguments: [
      "{\"version\":1,\"results\":[]}", "not json at all",
      "{\"version\":1,\"results\":[{\"id\":\"00000000-0000-0000-0000-000000000000\",\"disposition\":\"stored\"}]}",
    ])
  func aGarbageReplyNeverDeletesAnything(_ body: String) async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let vehicle = try TestVehicle(in: directory, hub: hub)
      let identity = try await hub.addDevice(name: "truck-8", deviceKey: vehicle.deviceKey, logger: testLogger)
      let ids = Set(try vehicle.enqueue(30).keys)
      let configuration = uplinkConfiguration(
        hub: hub, identity: identity, port: 0, cache: directory.appendingPathComponent("cache"))
      try await hub.serve(logger: testLogger, middlewares: [GarbageReplies(body: body)]) { port in
        var configuration = configuration
        configuration.hubURL = URL(string: "https://127.0.0.1:\(port)")!
        try await HubConnection.with(configuration: configuration, logger: testLogger) { connection in
          let sync = UplinkSync(
            connection: connection, outbox: VaultOutbox(vault: vehicle.vault),
            cache: try DistributionCache(
              directory: configuration.cacheDirectory, trustedKey: configuration.hubSigningKey, logger: testLogger),
            logger: testLogger)
          for _ in 0..<3 {
            await #expect(throws: UplinkError.self) { try await sync.syncOnce(refreshDocuments: false) }
            #expect(Set(try await vehicle.vault.pendingCandidates(limit: 100).map(\.id)) == ids)
          }
        }
      }
      // The hub did store them; a sane reply later acknowledges them as duplicates.
      try await hub.serve(logger: testLogger) { port in
        var configuration = configuration
        configuration.hubURL = URL(string: "https://127.0.0.1:\(port)")!
        let report = try await HubConnection.with(configuration: configuration, logger: testLogger) { connection in
          let sync = UplinkSync(
            connection: connection, outbox: VaultOutbox(vault: vehicle.vault),
            cache: try DistributionCache(
              directory: configuration.cacheDirectory, trustedKey: configuration.hubSigningKey, logger: testLogger),
            logger: testLogger)
          return try await sync.syncOnce(refreshDocuments: false)
        }
        #expect(report.acknowledged == 30)
      }
      #expect(try vehicle.vault.pendingCandidateCount() == 0)
      #expect(try await hub.service(logger: testLogger).storage.candidateCount() == 30)
    }
  }
}
