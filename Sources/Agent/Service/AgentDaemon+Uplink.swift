// SPDX-License-Identifier: AGPL-3.0-or-later

import Enforcement
import Foundation
import Logging
import Uplink
import Vault
import Wire

extension AgentDaemon {
  /// The uplink the profile asks for (`uplink.url`), sending the vault's outbox to the hub; nil
  /// without one. The hub's public keys must be in the keyring (imported from
  /// `uplink.upstream_keys` at start): documents are verified with its signing key.
  public static func makeUplink(
    profile: DeviceProfile, vault: Vault, status: UplinkStatusBoard = UplinkStatusBoard(), logger: Logger,
    onDocument: @escaping @Sendable (SignedDocument) -> Void = { _ in }
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
        // Documents arrive verified; the daemon puts new zones in force at once.
        logger.notice(
          "new signed document from the hub",
          metadata: ["document.kind": "\(document.kind.rawValue)", "document.version": "\(document.version)"])
        onDocument(document)
      }
    } catch {
      throw Failure(code: .uplinkUnusable, message: "The uplink cannot start", cause: error)
    }
  }

  /// At a graceful stop: one last pass for what the stop itself decided (the sightings in flight),
  /// bounded by `limit` so that systemd's stop timeout is never at stake. Whatever it cannot send
  /// stays in the outbox for the next start.
  static func finalSync(profile: DeviceProfile, vault: Vault, limit: Duration, logger: Logger) async {
    guard profile.uplink != nil else { return }
    do {
      guard try await vault.run({ try $0.pendingCandidateCount() }) > 0 else { return }
    } catch {
      // The outbox cannot be counted: send what it holds anyway, a sync that finds nothing is cheap.
      logger.warning("final sync: the outbox could not be counted; syncing anyway", metadata: ["error": "\(error)"])
    }
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
