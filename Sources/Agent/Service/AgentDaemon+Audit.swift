// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Logging
import Vault

extension AgentDaemon {
  /// Appends an entry to the audit log; when the vault refuses it (a full disk), it is counted,
  /// logged and kept, and written at a later status tick (`writePendingAudits`), never dropped silently.
  func audit(_ entry: PendingAudits.Entry) async {
    await writePendingAudits()
    do {
      _ = try await vault.run { vault in
        try vault.audit(
          actor: entry.actor, action: entry.action, purpose: entry.purpose, detail: entry.detail, at: entry.time)
      }
    } catch {
      let (waiting, dropped) = pendingAudits.keep(entry)
      logger.error(
        "audit entry not written: retried at the next status tick",
        metadata: [
          "audit.action": "\(entry.action)", "audit.waiting": "\(waiting)", "audit.dropped": "\(dropped)",
          "error": "\(error)",
        ])
    }
  }

  /// Writes the audit entries that failed earlier, oldest first, stopping at the first failure.
  func writePendingAudits() async {
    let waiting = pendingAudits.waiting
    guard !waiting.isEmpty else { return }
    var written = 0
    for entry in waiting {
      do {
        _ = try await vault.run { vault in
          try vault.audit(
            actor: entry.actor, action: entry.action, purpose: entry.purpose, detail: entry.detail, at: entry.time)
        }
        written += 1
      } catch {
        break
      }
    }
    pendingAudits.written(written)
    if written > 0 {
      logger.notice(
        "audit entries written after a failure",
        metadata: [
          "audit.written": "\(written)",
          "audit.waiting": "\(waiting.count - written)",
        ])
    }
  }
}
