// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Logging
import Vault

extension AgentDaemon {
  /// Applies, before the pipeline restores its chalk marks, every window close that came due
  /// while the agent was stopped (the wall clock: the camera's frames carry it too). The pipeline
  /// runs the ledger's own expiry again before its first frame; a failure here is logged and
  /// left to that pass.
  func applyRetentionAtStart() async {
    do {
      let report = try await vault.run { try $0.applyRetention(now: Date()) }
      logger.notice(
        "retention at start",
        metadata: [
          "chalk.windows_closed": "\(report.windowsClosed.count)", "chalk.marks_deleted": "\(report.chalkMarksDeleted)",
        ])
    } catch {
      logger.error(
        "retention at start failed; the pipeline retries before its first frame", metadata: ["error": "\(error)"])
    }
  }
}
