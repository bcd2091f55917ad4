// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import NIOHTTP1
import Testing
import Wire

@testable import Uplink

@Suite struct AcknowledgementTests {
  static let sent = [UUID(), UUID(), UUID()]

  static func reply(_ body: String, status: Int = 200) -> HubConnection.Reply {
    HubConnection.Reply(status: status, headers: HTTPHeaders(), body: Data(body.utf8))
  }

  static func ack(_ pairs: [(UUID, String)]) -> String {
    let results = pairs.map { "{\"id\":\"\($0.0.uuidString)\",\"disposition\":\"\($0.1)\"}" }
    return "{\"version\":1,\"results\":[\(results.joined(separator: ","))]}"
  }

  @Test func aWellFormedAcknowledgementIsAccepted() throws {
    let body = Self.ack([(Self.sent[0], "stored"), (Self.sent[1], "duplicate"), (Self.sent[2], "rejected")])
    let ack = try UplinkSync.checkAcknowledgement(Self.reply(body), sent: Self.sent)
    #expect(ack.results.filter(\.hubHoldsIt).map(\.id) == Array(Self.sent.prefix(2)))
  }

  static let garbage: [(String, HubConnection.Reply)] = [
    ("empty body", reply("")),
    (
      "random bytes",
      HubConnection.Reply(
        status: 200, headers: HTTPHeaders(), body: Data((0..<64).map { _ in UInt8.random(in: 0...255) }))
    ),
    ("truncated JSON", reply(String(ack([(sent[0], "stored")]).dropLast(9)))),
    ("HTML error page", reply("<html><body>502 Bad Gateway</body></html>")),
    (
      "wrong version",
      reply(ack([(sent[0], "stored")]).replacingOccurrences(of: "\"version\":1", with: "\"version\":2"))
    ),
    ("unknown disposition", reply(ack([(sent[0], "kept")]))),
    ("id never sent", reply(ack([(sent[0], "stored"), (UUID(), "stored")]))),
    ("id twice", reply(ack([(sent[0], "stored"), (sent[0], "stored")]))),
    ("not a UUID", reply("{\"version\":1,\"results\":[{\"id\":\"x\",\"disposition\":\"stored\"}]}")),
    ("500 with a valid body", reply(ack([(sent[0], "stored")]), status: 500)),
    ("202 with a valid body", reply(ack([(sent[0], "stored")]), status: 202)),
  ]

  @Test(arguments: garbage.indices)
  func garbageIsRefusedWhole(_ index: Int) {
    let (name, reply) = Self.garbage[index]
    #expect(throws: UplinkError.self, "\(name)") { try UplinkSync.checkAcknowledgement(reply, sent: Self.sent) }
  }
}
