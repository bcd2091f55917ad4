// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Crypto
import Enforcement
import Foundation
import Logging
import Wire

/// The zones the agent enforces and where they came from.
package struct ZonesInForce: Sendable {
  package var zones: ZoneSet
  /// `hub zones version N` or `file PATH`.
  var source: String
  /// SHA-256 of the bytes they were read from: a reload that finds the same bytes changes nothing.
  var fingerprint: String
}

extension AgentDaemon {
  /// The zones to enforce: the hub's newest signed zones document when the uplink holds a
  /// verified one (the city's current rules), else the profile's `enforcement.zones` file (before
  /// the first sync, or without a hub). A hub document that does not parse is reported and the
  /// file is used.
  package static func zonesInForce(
    profile: DeviceProfile, hubDocument: SignedDocument?, logger: Logger
  ) throws
    -> ZonesInForce
  {
    if let document = hubDocument {
      let source = "hub zones version \(document.version)"
      do {
        // The hub's zones document carries its policies inline; the city's holiday list, a
        // separate document, comes from the profile.
        let periods = try profile.enforcement.periodsInput()
        let zones = try ZonesFileLoader.parse(.init(data: document.body, file: source), periods: periods)
        try ZoneRuleCheck.check(zones, source: document.body, file: source)
        return ZonesInForce(
          zones: zones, source: source, fingerprint: fingerprint([document.body] + [periods?.data].compactMap { $0 }))
      } catch {
        logger.error(
          "the hub's zones document cannot be used; enforcing the profile's zones file",
          metadata: ["zones.version": "\(document.version)", "error": "\(error)"])
      }
    }
    let path = profile.enforcement.zonesFile
    do {
      let inputs = try profile.enforcement.ruleInputs()
      let zones = try profile.enforcement.rules(from: inputs)
      return ZonesInForce(zones: zones, source: "file \(path)", fingerprint: fingerprint(inputs.map(\.data)))
    } catch {
      throw Failure(code: .zonesUnreadable, message: "Cannot load the zones file \(path)", cause: error)
    }
  }

  /// SIGHUP, or a new zones document from the hub: reads the zones in force again and, when
  /// their bytes changed, hands them to the pipeline ahead of the frames waiting (marks whose
  /// zone or policy is gone expire at its next expiry pass). Zones that cannot be read are
  /// refused and the running ones kept.
  func refreshZones(state: DaemonState, queue: FrameQueue, hubDocument: SignedDocument?, reason: String) async {
    let profile = state.snapshot.profile
    let fresh: ZonesInForce
    do { fresh = try Self.zonesInForce(profile: profile, hubDocument: hubDocument, logger: logger) } catch {
      logger.error(
        "zones reload refused: the zones in force stay", metadata: ["zones.reason": "\(reason)", "error": "\(error)"])
      state.update { $0.zonesRefused = "\(error)" }
      return
    }
    let unchanged = state.update { values in
      values.zonesRefused = nil
      return values.zones.fingerprint == fresh.fingerprint
    }
    guard !unchanged else { return }
    queue.push(zones: fresh.zones)
    state.update { $0.zones = fresh }
    logger.notice(
      "zones replaced: the new ones are enforced from the next frame",
      metadata: [
        "zones.reason": "\(reason)", "zones.source": "\(fresh.source)", "zones.count": "\(fresh.zones.zones.count)",
      ])
    await Self.auditInForce(
      vault: vault, logger: logger, action: "zones.in_force", reason: reason, detail: Self.describe(fresh))
  }

  /// Plate-free words for the audit log: source (with its version), zones, policies.
  static func describe(_ zones: ZonesInForce) -> String {
    "source=\(zones.source) zones=\(zones.zones.zones.count) policies=\(zones.zones.policies.count)"
  }

  /// The zones and the permit list in force at start, into the audit log.
  func auditAtStart(zones: ZonesInForce, permits: PermitsInForce?) async {
    await Self.auditInForce(
      vault: vault, logger: logger, action: "zones.in_force", reason: "start", detail: Self.describe(zones))
    let permitsDetail =
      permits.map { "version=\($0.registry.version ?? 0) source=hub \($0.summary)" } ?? "none verified"
    await Self.auditInForce(
      vault: vault, logger: logger, action: "permits.in_force", reason: "start", detail: permitsDetail)
  }

  /// SHA-256 over each document's own digest, so no two sets of documents share one.
  private static func fingerprint(_ documents: [Data]) -> String {
    let digests = documents.map { Data(SHA256.hash(data: $0)) }
    return Data(SHA256.hash(data: digests.reduce(Data(), +))).hexString
  }
}
