// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Dump
import Foundation
import Logging
import Testing
import Vault

/// The generated patrol replayed with its rules as the Curbs API serves them.
@Suite("Replay with CDS zones and policies responses", .serialized)
struct ReplayCDSTests {
  static let zonesFolder = TestPaths.packageRoot.appendingPathComponent("device-profiles/zones")

  /// The shipped responses, with the official Policies example's shape added to every zone: a
  /// priority-1 policy of 15 minutes for `["rideshare", "electric"]` over the zones' own.
  static func withRideshareOverlay(in directory: URL) throws -> (zones: URL, policies: URL) {
    let overlay = "0b0c5d2e-7a43-4d0e-9b8e-2f4a6c1d9e70"
    func read(_ name: String) throws -> [String: Any] {
      let data = try Data(contentsOf: zonesFolder.appendingPathComponent(name))
      return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
    var zonesDocument = try read("san-jose-downtown.json")
    var data = try #require(zonesDocument["data"] as? [String: Any])
    var zones = try #require(data["zones"] as? [[String: Any]])
    for index in zones.indices {
      zones[index]["curb_policy_ids"] = [overlay] + (zones[index]["curb_policy_ids"] as? [String] ?? [])
    }
    data["zones"] = zones
    zonesDocument["data"] = data
    var policiesDocument = try read("san-jose-downtown-policies.json")
    var policyData = try #require(policiesDocument["data"] as? [String: Any])
    let rideshare: [String: Any] = [
      "curb_policy_id": overlay, "published_date": 1_767_225_600_000, "priority": 1,
      "rules": [["activity": "parking", "max_stay": 15, "user_classes": ["rideshare", "electric"]]],
      "time_spans": [["days_of_week": ["mon", "tue", "wed", "thu", "fri", "sat"], "time_of_day_start": "08:00"]],
    ]
    policyData["policies"] = [rideshare] + (policyData["policies"] as? [[String: Any]] ?? [])
    policiesDocument["data"] = policyData
    let zonesURL = directory.appendingPathComponent("zones.json")
    let policiesURL = directory.appendingPathComponent("policies.json")
    try JSONSerialization.data(withJSONObject: zonesDocument, options: .prettyPrinted).write(to: zonesURL)
    try JSONSerialization.data(withJSONObject: policiesDocument, options: .prettyPrinted).write(to: policiesURL)
    return (zonesURL, policiesURL)
  }

  @Test("a priority-1 rideshare+electric policy over the everyone-policy leaves the everyone-policy's candidates")
  func rideshareOverlayKeepsTheCandidates() async throws {
    try await withTemporaryDirectory { directory in
      let files = try Self.withRideshareOverlay(in: directory)
      var profile = try replayProfile(state: directory.appendingPathComponent("state"))
      profile.enforcement.zonesFile = files.zones.path
      profile.enforcement.policiesFile = files.policies.path
      let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .warning, journal: false) }
      let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
      defer { try? vault.close() }
      let runner = ReplayRunner(
        profile: profile, dump: GeneratedPatrol.directory, pace: .fast,
        reader: try TruthReader(patrol: GeneratedPatrol.directory), logger: logger)
      let summary = try await runner.run(vault: vault)
      // No permit list is held here: the everyone-policy's candidates where no permit would lift it.
      #expect(!GeneratedPatrol.expectedWithoutPermitList.isEmpty)
      #expect(
        summary.candidatesByZone == GeneratedPatrol.expectedWithoutPermitList,
        "\(summary.lines.joined(separator: "\n"))")
    }
  }
}
