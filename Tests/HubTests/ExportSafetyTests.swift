// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import HubDevTools
import Testing
import Wire

@testable import Hub

/// The ticketing CSV runs no formula in a spreadsheet, whatever a device put in a zone id.
@Suite struct ExportSafetyTests {
  @Test(arguments: [
    ("=1+2", "'=1+2"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"), ("\tx", "'\tx"),
    ("\rx", "\"'\rx\""), ("=a,b", "\"'=a,b\""), ("-121.8881", "-121.8881"), ("zone-3", "zone-3"), ("", ""),
  ])
  func formulaCellsAreNeutralized(_ raw: String, _ cell: String) {
    #expect(ReviewService.csvField(raw) == cell)
  }

  @Test func anExportedHostileZoneStaysText() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let key = Curve25519.Signing.PrivateKey()
      let identity = try await hub.addDevice(name: "truck-x", deviceKey: key.publicKey, logger: testLogger)
      let synthetic = SyntheticCandidates(deviceKey: key, hubKey: hub.keys.hpke.publicKey)
      let hostile = try synthetic.make(plate: "7CSV001") { $0.zone = "=HYPERLINK(\"http://evil\")" }
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, identity, port: port) { client in
          let (_, ack) = try await post(CandidateBatch(candidates: [hostile]), over: client)
          #expect(ack?.results.first?.disposition == .stored)
        }
      }
      let review = ReviewService(hub: try hub.service(logger: testLogger))
      try await review.decide(hostile.id, .accept, reviewer: "officer1", purpose: "citation review")
      let (csv, count) = try await review.export(
        actor: "os:tester", purpose: "citation review", format: .csv, since: nil)
      #expect(count == 1)
      let text = String(decoding: csv, as: UTF8.self)
      #expect(text.contains(",\"'=HYPERLINK(\"\"http://evil\"\")\","))
      #expect(!text.contains(",=HYPERLINK"))
    }
  }
}
