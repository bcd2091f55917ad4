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

/// Hub-side faults on candidate batches: a 500 before storing, a 500 after storing (the batch is
/// held but the device never hears it), and a garbage 200 after storing.
struct HubChaos: RouterMiddleware {
  typealias Context = HubRequestContext
  enum Fault: String, Sendable { case none, errorBefore, errorAfter, garbageAfter }
  let counts: LockedBox<[String: Int]>

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    guard request.uri.path == UplinkAPI.candidateBatches else { return try await next(request, context) }
    let roll = Int.random(in: 0..<100)
    let fault: Fault = roll < 8 ? .errorBefore : roll < 16 ? .errorAfter : roll < 22 ? .garbageAfter : .none
    counts.mutate { $0[fault.rawValue, default: 0] += 1 }
    switch fault {
    case .none: return try await next(request, context)
    case .errorBefore: return Response(status: .internalServerError)
    case .errorAfter:
      _ = try await next(request, context)
      return Response(status: .internalServerError)
    case .garbageAfter:
      _ = try await next(request, context)
      return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "{\"version\":1,\"resu")))
    }
  }
}

@Suite struct FaultTests {
  @Test func aThousandCandidatesArriveExactlyOnceThroughFaultsAndRestarts() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let vehicle = try TestVehicle(in: directory, hub: hub)
      let identity = try await hub.addDevice(name: "truck-9", deviceKey: vehicle.deviceKey, logger: testLogger)
      let queued = try vehicle.enqueue(1_000, imageBytes: 1_200)
      let proxy = FaultProxy(stall: .milliseconds(1_500)) {
        let roll = Int.random(in: 0..<100)
        return roll < 45 ? .pass : [.dropMidRequest, .dropMidResponse, .reset, .stall, .truncatedReply][roll % 5]
      }
      let chaos = HubChaos(counts: LockedBox([:]))
      let restarts = LockedBox(0)
      let finished = LockedBox(false)
      let report = try await proxy.run { proxyPort in
        try await withThrowingTaskGroup(of: UplinkSync.Report?.self) { group in
          group.addTask {
            while !finished.value {
              try await hub.serve(logger: testLogger, middlewares: [chaos]) { port in
                proxy.target.mutate { $0 = port }
                try? await Task.sleep(for: .milliseconds(Int.random(in: 300...900)))
              }
              restarts.mutate { $0 += 1 }
            }
            return nil
          }
          group.addTask {
            let configuration = uplinkConfiguration(
              hub: hub, identity: identity, port: proxyPort, cache: directory.appendingPathComponent("cache"),
              batchSize: 25, requestTimeout: .seconds(1))
            defer { finished.mutate { $0 = true } }
            return try await HubConnection.with(configuration: configuration, logger: testLogger) { connection in
              let sync = UplinkSync(
                connection: connection, outbox: VaultOutbox(vault: vehicle.vault),
                cache: try DistributionCache(
                  directory: configuration.cacheDirectory, trustedKey: configuration.hubSigningKey, logger: testLogger),
                logger: testLogger)
              return try await sync.syncUntilDrained(maxFailures: 2_000)
            }
          }
          var report: UplinkSync.Report?
          for try await result in group { if let result { report = result } }
          return report
        }
      }
      let storage = try hub.service(logger: testLogger).storage
      let held = try await storage.candidates(reviewState: nil, limit: 5_000)
      print(
        "uplink fault test: \(held.count) held of \(queued.count); batches acknowledged \(report?.batches ?? 0), "
          + "failed attempts retried \(report?.failedAttempts ?? 0), "
          + "proxy faults \(proxy.counts.value.map { "\($0.key.rawValue)=\($0.value)" }.sorted()), "
          + "hub faults \(chaos.counts.value.sorted { $0.key < $1.key }), hub restarts \(restarts.value)")
      #expect(held.count == 1_000)
      #expect(Set(held.map(\.id)) == Set(queued.keys))
      #expect(held.allSatisfy { $0.evidence.count == 2 })
      #expect(try vehicle.vault.pendingCandidateCount() == 0)
      #expect(restarts.value >= 2)
      #expect(proxy.counts.value.values.reduce(0, +) > proxy.counts.value[.pass, default: 0])
    }
  }
}
