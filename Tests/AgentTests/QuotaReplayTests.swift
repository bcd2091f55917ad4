// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Dump
import Foundation
import Logging
import Testing
import Vault

/// A replay into a vault already at its quota: every new chalk mark is refused, so the cars are
/// not chalked at all. The ledger used to keep a refused mark, and the car's second pass then made
/// a candidate naming first-sighting evidence that was never stored: the replay failed with
/// `evidence-missing` and the candidate was lost.
@Suite("A replay into a full vault")
struct QuotaReplayTests {
  let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .critical, journal: false) }

  @Test("refused first marks are not chalked: no candidate names missing evidence, nothing fails")
  func refusedMarksAreNotChalked() async throws {
    try await withTemporaryDirectory(prefix: "cl-quota") { directory in
      let state = directory.appendingPathComponent("state")
      let profilePath = directory.appendingPathComponent("profile.yaml")
      try replayProfileText(state: state).write(to: profilePath, atomically: true, encoding: .utf8)
      let profile = try DeviceProfile.load(from: profilePath.path)
      let provisioned = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
      let used = try provisioned.status().liveBytes
      try provisioned.close()
      // The quota is what the empty vault already holds: no chalk mark fits.
      let vault = try Vault(stateDirectory: state, configuration: VaultConfiguration(maxBytes: used), logger: logger)
      defer { try? vault.close() }
      let summary = try await ReplayRunner(
        profile: profile, dump: GeneratedPatrol.directory, pace: .fast,
        reader: try TruthReader(patrol: GeneratedPatrol.directory), logger: logger
      ).run(vault: vault)
      let counters = summary.counters
      #expect(counters.refusedByQuota >= 2, "\(counters)")
      #expect(counters.chalkMarks == 0)
      #expect(counters.candidates == 0)
      #expect(counters.vaultWriteFailures == 0)
      #expect(try vault.pendingCandidateCount() == 0)
      #expect(try vault.status().chalkMarksRefused == counters.refusedByQuota)
      #expect(try vault.liveChalkMarks().isEmpty)
    }
  }
}
