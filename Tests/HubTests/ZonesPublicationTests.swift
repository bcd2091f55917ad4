// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Foundation
import Hub
import HubDevTools
import Testing
import Wire

/// A `zones.json` the operator puts in the distribution directory, and what the hub must say.
struct PublishedZones: Sendable, CustomTestStringConvertible {
  var name: String
  /// Changes the shipped San José document (zones response plus policies, as docs/hub.md §3 makes it).
  var change: @Sendable (inout [String: Any]) -> Void
  /// nil: published; else every fragment the refusal must hold (`FILE` is the zones.json path).
  var refusal: [String]?
  var testDescription: String { name }
}

/// Adds a policy (its JSON members after the id) to the document and puts it on the first zone.
@Sendable func addPolicy(_ id: String, _ members: String) -> @Sendable (inout [String: Any]) -> Void {
  let text =
    #"{"curb_policy_id": "\#(id)", "published_date": 1767225600000, "priority": 20, "time_spans": "#
    + #"[{"days_of_week": ["mon", "tue", "wed", "thu", "fri", "sat"], "time_of_day_start": "08:00", "#
    + #""time_of_day_end": "18:00"}], \#(members)}"#
  return { document in
    let policy = try! JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    var data = document["data"] as! [String: Any]
    data["policies"] = (data["policies"] as! [Any]) + [policy]
    var zones = data["zones"] as! [[String: Any]]
    zones[0]["curb_policy_ids"] = (zones[0]["curb_policy_ids"] as! [Any]) + [policy["curb_policy_id"]!]
    data["zones"] = zones
    document["data"] = data
  }
}

let publishedZones: [PublishedZones] = [
  PublishedZones(
    name: "the shipped San José rules (they name the vehicles' holidays, a list the hub does not hold)",
    change: { _ in }, refusal: nil),
  PublishedZones(
    name: "NO PARKING FOR PERMIT W, 2 HR FOR EVERYONE ELSE: a watch list",
    change: addPolicy(
      "00000000-0000-4000-8000-0000000000aa",
      #""name": "sj-w", "rules": [{"activity": "no parking", "user_classes": ["permit W"]}, "#
        + #"{"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}]"#),
    refusal: [
      "FILE:",
      ": data.policies[7].rules[0]: policy 00000000-0000-4000-8000-0000000000aa: user class \"permit W\" "
        + "is treated more strictly than everyone else (no parking where everyone else gets 2 h parking): "
        + "that is a watch list (expected a rule for a user class only to relax the rule for everyone",
      "not published; the vehicles keep the zones version they hold",
    ]),
  PublishedZones(
    name: "5 MIN PARKING: under the floor",
    change: addPolicy(
      "00000000-0000-4000-8000-0000000000ab",
      #""name": "sj-5min", "rules": [{"activity": "parking", "max_stay": 5, "max_stay_unit": "minute"}]"#),
    refusal: [": data.policies[7].rules[0].max_stay: policy 00000000-0000-4000-8000-0000000000ab: a 5 min limit"]),
  PublishedZones(
    name: "a rule the loader refuses (a key Chalkline does not read)",
    change: { document in
      var data = document["data"] as! [String: Any]
      var policies = data["policies"] as! [[String: Any]]
      policies[0]["tow_away_fee"] = 5
      data["policies"] = policies
      document["data"] = data
    },
    refusal: [": data.policies[0].tow_away_fee: is not a key Chalkline reads"]),
]

@Suite("Zones publication refuses what vehicles would refuse")
struct ZonesPublicationTests {
  /// The shipped zones response with the policies response's policies added (docs/hub.md §3's
  /// jq line), pretty-printed so each rule is on a line of its own.
  static func shippedDocument() throws -> [String: Any] {
    let folder = TestPaths.packageRoot.appendingPathComponent("device-profiles/zones")
    var zones =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: folder.appendingPathComponent("san-jose-downtown.json"))) as! [String: Any]
    let policies =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: folder.appendingPathComponent("san-jose-downtown-policies.json"))) as! [String: Any]
    var data = zones["data"] as! [String: Any]
    data["policies"] = (policies["data"] as! [String: Any])["policies"]
    zones["data"] = data
    return zones
  }

  static func write(_ document: [String: Any], to url: URL) throws {
    try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys]).write(to: url)
  }

  @Test(arguments: publishedZones)
  func publication(_ zones: PublishedZones) async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let service = try hub.service(logger: testLogger)
      let path = URL(fileURLWithPath: hub.configuration.distributionDirectory).appendingPathComponent("zones.json")
      // Version 1: the shipped rules, in force on the vehicles.
      try Self.write(try Self.shippedDocument(), to: path)
      try await service.publishAll()
      #expect(try await service.storage.latestDocument(.zones)?.version == 1)

      var changed = try Self.shippedDocument()
      zones.change(&changed)
      try Self.write(changed, to: path)
      guard let refusal = zones.refusal else {
        try await service.publishAll()
        return
      }
      do {
        try await service.publishAll()
        Issue.record("published")
      } catch {
        let message = "\(error)"
        for fragment in refusal {
          #expect(message.contains(fragment.replacingOccurrences(of: "FILE", with: path.path)), "\(message)")
        }
        // FILE:LINE names the line of the rule (or key) in the file the operator edits.
        let lines = message.split(separator: "\n").filter { $0.hasPrefix(path.path + ":") }.compactMap {
          Int($0.dropFirst(path.path.count + 1).prefix { $0.isNumber })
        }
        let line = try #require(lines.first, "\(message)")
        let text = try String(contentsOf: path, encoding: .utf8).split(
          separator: "\n", omittingEmptySubsequences: false)
        #expect(line > 1 && line <= text.count)
      }
      // Nothing was signed: the vehicles keep version 1, and the audit has no second publication.
      #expect(try await service.storage.latestDocument(.zones)?.version == 1)
      let publications = try await service.storage.auditEntries().filter {
        $0.action == "document.publish" && $0.detail.hasPrefix("kind=zones")
      }
      #expect(publications.count == 1)
    }
  }

  @Test func aZonesFileThatIsNotJSONIsRefusedWithItsLine() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let path = URL(fileURLWithPath: hub.configuration.distributionDirectory).appendingPathComponent("zones.json")
      try Data("{\"time_zone\": \"America/Los_Angeles\",\n \"data\": {\"zones\": [\n}".utf8).write(to: path)
      let service = try hub.service(logger: testLogger)
      await #expect {
        try await service.publishAll()
      } throws: { error in
        "\(error)".contains("\(path.path):3: (document):") && "\(error)".contains("not published")
      }
      #expect(try await service.storage.latestDocument(.zones) == nil)
    }
  }

  /// `chalkline-hub publish`, as the operator runs it: a non-zero exit and the problem on stderr.
  @Test func thePublishCommandRefusesAWatchList() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let encoder = JSONEncoder()
      encoder.keyEncodingStrategy = .convertToSnakeCase
      let config = directory.appendingPathComponent("hub.json")
      try encoder.encode(hub.configuration).write(to: config)
      let path = URL(fileURLWithPath: hub.configuration.distributionDirectory).appendingPathComponent("zones.json")
      var document = try Self.shippedDocument()
      publishedZones[1].change(&document)
      try Self.write(document, to: path)
      let result = try runCommand(
        TestPaths.product("chalkline-hub"), ["publish", "--config", config.path, "--purpose", "new zones"])
      #expect(result.status != 0)
      #expect(result.standardError.contains("\(path.path):"), "\(result.standardError)")
      #expect(result.standardError.contains("that is a watch list"), "\(result.standardError)")
      #expect(try await hub.service(logger: testLogger).storage.latestDocument(.zones) == nil)
    }
  }
}
