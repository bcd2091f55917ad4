// SPDX-License-Identifier: AGPL-3.0-or-later

import Enforcement
import Foundation
import Logging
import Uplink
import Vault
import Wire

extension ReplayRunner {
  /// What a field replay enforces, as the vehicle would: with an uplink in the profile the hub's
  /// newest documents (keys, zones, permits) are fetched and verified before the first frame,
  /// then the zones in force (the hub's, else the profile's file) and the verified permit list.
  /// An unreachable hub leaves what the state directory's cache last verified.
  static func rulesInForce(
    profile: DeviceProfile, vault: Vault, logger: Logger
  ) async throws -> (zones: ZonesInForce, permits: PermitsInForce?, note: String) {
    var fetched = "no uplink in the profile"
    var cache: DistributionCache?
    if let sync = try AgentDaemon.makeUplink(profile: profile, vault: vault, logger: logger) {
      cache = sync.cache
      do {
        let updated = try await sync.whileOpen { try await $0.refreshDocuments() }
        fetched = "fetched from the hub before the first frame (\(updated.count) new)"
      } catch {
        fetched = "hub not reachable, the last verified documents are used: \(error)"
        logger.warning("replay: the hub's documents could not be fetched", metadata: ["error": "\(error)"])
      }
    }
    let zones = try AgentDaemon.zonesInForce(profile: profile, hubDocument: cache?.document(.zones), logger: logger)
    let permits = AgentDaemon.permitsInForce(document: cache?.document(.permits), vault: vault, logger: logger)
    await AgentDaemon.auditInForce(
      vault: vault, logger: logger, action: "zones.in_force", reason: "replay", detail: AgentDaemon.describe(zones))
    await AgentDaemon.auditInForce(
      vault: vault, logger: logger, action: "permits.in_force", reason: "replay",
      detail: permits.map { "version=\($0.registry.version ?? 0) source=hub \($0.summary)" } ?? "none verified")
    let permitWords =
      permits.map { "\($0.source) (\($0.summary))" }
      ?? "none verified: \(AgentDaemon.permitRulesUnenforced(zones: zones.zones, permits: nil)) permit policies not enforced"
    return (zones, permits, "zones \(zones.source); permits \(permitWords); documents \(fetched)")
  }
}
