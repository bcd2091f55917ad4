// SPDX-License-Identifier: AGPL-3.0-or-later

import Enforcement
import Foundation
import Logging
import Uplink
import Vault

extension AgentDaemon {
  /// The uplink the profile asks for (`uplink.url`), sending the vault's outbox to the hub; nil
  /// without one. The hub's public keys must be in the keyring (imported from
  /// `uplink.upstream_keys` at start): documents are verified with its signing key.
  public static func makeUplink(
    profile: DeviceProfile, vault: Vault, status: UplinkStatusBoard = UplinkStatusBoard(), logger: Logger
  ) throws -> UplinkSync? {
    guard let settings = profile.uplink else { return nil }
    guard let signingKey = vault.keyring.upstreamSigningKey else {
      throw Failure(
        code: .uplinkUnusable,
        message:
          "uplink.url is set but the hub's keys are not in the keyring: check uplink.upstream_keys "
          + "(chalkline-hub keys export)")
    }
    let configuration = UplinkConfiguration(
      hubURL: settings.url, certificatePath: settings.clientCertificate, privateKeyPath: settings.clientKey,
      trustedCAPath: settings.caCertificate, hubSigningKey: signingKey,
      cacheDirectory: vault.stateDirectory.appendingPathComponent("uplink"), batchSize: settings.batchSize,
      interval: .milliseconds(Int64(settings.syncInterval * 1000)))
    do {
      return try UplinkSync.forVehicle(configuration: configuration, vault: vault, status: status, logger: logger) {
        document in
        // Zones and permits arrive verified; the pipeline takes them at the next start.
        logger.notice(
          "new signed document from the hub; it takes effect at the next restart",
          metadata: ["document.kind": "\(document.kind.rawValue)", "document.version": "\(document.version)"])
      }
    } catch {
      throw Failure(code: .uplinkUnusable, message: "The uplink cannot start", cause: error)
    }
  }

  /// The zones to enforce: the hub's newest signed zones document when the uplink holds a
  /// verified one (the city's current rules), else the profile's `enforcement.zones` file (before
  /// the first sync, or without a hub). A hub document that does not parse is reported and the
  /// file is used.
  static func zonesInForce(profile: DeviceProfile, uplink: UplinkSync?, logger: Logger) throws -> ZoneSet {
    if let document = uplink?.cache.document(.zones) {
      do {
        let zones = try ZonesFileLoader.parse(document.body, file: "hub zones version \(document.version)")
        logger.notice(
          "enforcing the hub's signed zones", metadata: ["zones.version": "\(document.version)", "zones.source": "hub"])
        return zones
      } catch {
        logger.error(
          "the hub's zones document cannot be used; enforcing the profile's zones file",
          metadata: ["zones.version": "\(document.version)", "error": "\(error)"])
      }
    }
    do {
      return try ZonesFileLoader.load(contentsOf: URL(fileURLWithPath: profile.enforcement.zonesFile))
    } catch {
      throw Failure(
        code: .zonesUnreadable, message: "Cannot load the zones file \(profile.enforcement.zonesFile)", cause: error)
    }
  }

  /// At a graceful stop: one last pass for what the stop itself decided (the sightings in flight),
  /// bounded by `limit` so that systemd's stop timeout is never at stake. Whatever it cannot send
  /// stays in the outbox for the next start.
  static func finalSync(profile: DeviceProfile, vault: Vault, limit: Duration, logger: Logger) async {
    guard profile.uplink != nil, (try? vault.pendingCandidateCount()) ?? 0 > 0 else { return }
    do {
      guard let sync = try makeUplink(profile: profile, vault: vault, logger: logger) else { return }
      let sent = try await sync.whileOpen { sync in
        try await withThrowingTaskGroup(of: Int?.self) { group in
          group.addTask { try await sync.syncOnce(refreshDocuments: false).acknowledged }
          group.addTask {
            try await Task.sleep(for: limit)
            return nil
          }
          defer { group.cancelAll() }
          return try await group.next() ?? nil
        }
      }
      logger.notice(
        sent == nil ? "final sync timed out: the outbox keeps the rest for the next start" : "final sync done",
        metadata: ["uplink.acknowledged": "\(sent ?? 0)"])
    } catch {
      logger.warning(
        "final sync failed: the outbox keeps its candidates for the next start", metadata: ["error": "\(error)"])
    }
  }

  /// Syncs until cancelled, then closes the connection.
  static func runUplink(_ sync: UplinkSync, logger: Logger) async {
    do { try await sync.run() } catch {
      logger.error("uplink stopped", metadata: ["error": "\(error)"])
    }
    do { try await sync.shutdown() } catch {
      logger.warning("uplink connection not closed cleanly", metadata: ["error": "\(error)"])
    }
  }
}
