// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineTestKit
import Enforcement
import Foundation
import Logging
import Testing
import Wire

@testable import Agent

/// The hub's signed zones document in CDS form: one zones response with its policies inline,
/// completed by the profile's holiday list.
@Suite("Zones from the hub's distribution")
struct HubZonesDocumentTests {
  static let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .critical, journal: false) }

  @Test("a zones response carrying its policies, with the profile's holidays, is what the agent enforces")
  func cdsDocumentFromTheHub() throws {
    let profile = try DeviceProfile.load(
      from: TestPaths.packageRoot.appendingPathComponent("device-profiles/replay-default.yaml").path)
    let document = SignedDocument(
      kind: .zones, version: 7, issuedAt: Date(), body: try shippedHubZonesDocument(), signature: Data())
    let inForce = try AgentDaemon.zonesInForce(profile: profile, hubDocument: document, logger: Self.logger)
    #expect(inForce.source == "hub zones version 7")
    #expect(inForce.zones.zones.count == 8)
    #expect(inForce.zones.policies.count == 7)
    #expect(inForce.zones.periodsVersion == "2026-12-01")
  }

  @Test("without the profile's holidays the hub's document is refused and the profile's files are enforced")
  func hubDocumentNeedsTheHolidays() throws {
    var profile = try DeviceProfile.load(
      from: TestPaths.packageRoot.appendingPathComponent("device-profiles/replay-default.yaml").path)
    let document = SignedDocument(
      kind: .zones, version: 8, issuedAt: Date(), body: try shippedHubZonesDocument(), signature: Data())
    profile.enforcement.periodsFile = nil
    // The profile's own files need the holidays too, so nothing can be enforced: the agent says so.
    #expect(throws: AgentDaemon.Failure.self) {
      try AgentDaemon.zonesInForce(profile: profile, hubDocument: document, logger: Self.logger)
    }
  }
}
