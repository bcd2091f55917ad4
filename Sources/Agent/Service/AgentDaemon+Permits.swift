// SPDX-License-Identifier: AGPL-3.0-or-later

import Enforcement
import Foundation
import Logging
import Vault
import Wire

extension AgentDaemon {
  /// Opens the hub's newest verified permits document with the device key; nil when there is
  /// none yet or it cannot be opened (logged: the ledger then enforces no rule a permit would lift).
  static func permitsInForce(document: SignedDocument?, vault: Vault, logger: Logger) -> PermitsInForce? {
    guard let document else { return nil }
    do { return try PermitsInForce(document: document, deviceKey: vault.keyring.deviceKey) } catch {
      logger.error(
        "the hub's permit list cannot be opened: rules a permit would lift stay unenforced",
        metadata: ["permits.version": "\(document.version)", "error": "\(error)"])
      return nil
    }
  }

  /// Start, SIGHUP, or a new permits document from the hub: puts the newest verified list in
  /// force from the next frame when it is newer than the one enforced, and writes it to the
  /// audit log. An older or equal version changes nothing.
  func refreshPermits(state: DaemonState, queue: FrameQueue, document: SignedDocument?, reason: String) async {
    guard let document else { return }
    let held = state.snapshot.permits?.registry.version ?? 0
    guard document.version > held else { return }
    guard let fresh = Self.permitsInForce(document: document, vault: vault, logger: logger) else {
      state.update { $0.permitsRefused = "permits version \(document.version) cannot be opened with this device's key" }
      return
    }
    queue.push(permits: fresh)
    state.update {
      $0.permits = fresh
      $0.permitsRefused = nil
    }
    logger.notice(
      "permit list in force from the next frame",
      metadata: [
        "permits.reason": "\(reason)", "permits.source": "\(fresh.source)", "permits.counts": "\(fresh.summary)",
      ])
    await Self.auditInForce(
      vault: vault, logger: logger, action: "permits.in_force", reason: reason,
      detail: "version=\(document.version) source=hub \(fresh.summary)")
  }

  /// Writes a zones or permits version put in force to the vehicle's audit log (version,
  /// source, counts; never plates). A failed write is logged as an error, never dropped silently.
  static func auditInForce(vault: Vault, logger: Logger, action: String, reason: String, detail: String) async {
    do {
      _ = try await vault.run { vault in
        try vault.audit(actor: "agent", action: action, purpose: "put in force (\(reason))", detail: detail)
      }
    } catch {
      logger.error(
        "the audit log could not record what was put in force",
        metadata: ["audit.action": "\(action)", "error": "\(error)"])
    }
  }

  /// Policies of the zones whose general rule a permit would lift and that go unenforced for
  /// want of a verified permit list (0 once one is in force).
  static func permitRulesUnenforced(zones: ZoneSet, permits: PermitsInForce?) -> Int {
    guard permits == nil else { return 0 }
    return zones.policies.values.filter(\.needsPermitList).count
  }
}
