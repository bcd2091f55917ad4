// SPDX-License-Identifier: AGPL-3.0-or-later

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
