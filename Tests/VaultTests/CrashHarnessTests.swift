// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Foundation
import Testing

@testable import ChalklineBench
@testable import Vault

/// SIGKILLs `vault-crash-writer` at random instants 200 times, reopening and checking the vault
/// after each kill. `CHALKLINE_CRASH_KILLS` raises the count (for benchmark runs).
@Suite struct CrashHarnessTests {
  @Test func twoHundredKillsLeaveAConsistentVault() async throws {
    let (kills, seed, report) = try await runHarness(killsFrom: "CHALKLINE_CRASH_KILLS", default: 200, focus: nil)
    print(
      "vault crash harness: seed \(seed), \(report.kills) kills (\(report.killsWhileWriting) while writing), "
        + "\(report.acknowledgedWrites) acknowledged writes checked, \(report.failures.count) failures, "
        + String(format: "%.1f s", report.seconds))
    #expect(report.failures.isEmpty, "\(report.failures.prefix(5))")
    #expect(report.kills == kills)
    #expect(report.killsWhileWriting > kills / 2)
    #expect(report.acknowledgedWrites > kills)
  }
}

/// The crash harness focused on the operations where a power loss hurts most: each kill lands
/// within milliseconds after the writer began a retention pass, a shredding, a storage-key
/// rotation or an outbox acknowledgement. After every kill each acknowledged write is still
/// there, every sealed row opens with a key on disk, no evidence is orphaned, a finished
/// shredding stays final, and the vault opens. `CHALKLINE_CRASH_FOCUS_KILLS` raises the count.
@Suite struct FocusedCrashTests {
  @Test(arguments: VaultCrashFocus.allCases)
  func killsInsideTheOperationLeaveAConsistentVault(_ focus: VaultCrashFocus) async throws {
    let (kills, seed, report) = try await runHarness(
      killsFrom: "CHALKLINE_CRASH_FOCUS_KILLS", default: 40, focus: focus)
    print(
      "vault crash harness (\(focus.rawValue)): seed \(seed), \(report.kills) kills, \(report.killsInsideFocus) "
        + "inside \(focus.rawValue), \(report.acknowledgedWrites) acknowledged writes checked, "
        + "\(report.failures.count) failures, " + String(format: "%.1f s", report.seconds))
    #expect(report.failures.isEmpty, "\(report.failures.prefix(5))")
    // Past `kills` only while too few have landed inside the operation, and at most 4 × `kills`.
    #expect(report.kills >= kills && report.kills <= 4 * kills)
    // Most kills must land inside the operation, or the test would not test it.
    #expect(report.killsInsideFocus >= kills / 3, "only \(report.killsInsideFocus) of \(kills) inside")
    #expect(report.acknowledgedWrites > kills)
  }
}

/// Runs the crash harness with the kill count from `$variable` (else `defaultKills`) and the seed from
/// `$CHALKLINE_CRASH_SEED` (else the time): a minute of kills and reopenings, on a thread of its own, so the
/// pool stays free for other suites.
private func runHarness(
  killsFrom variable: String, default defaultKills: Int, focus: VaultCrashFocus?
) async throws -> (kills: Int, seed: UInt64, report: VaultCrashHarness.Report) {
  let writer = try #require(
    VaultBenchmark.crashWriterBesideExecutable(), "vault-crash-writer is not built beside the tests")
  let environment = ProcessInfo.processInfo.environment
  let kills = Int(environment[variable] ?? "") ?? defaultKills
  let seed = UInt64(environment["CHALKLINE_CRASH_SEED"] ?? "") ?? UInt64(Date().timeIntervalSince1970)
  let report = try await offPool {
    try withTemporaryDirectory { directory in
      try VaultCrashHarness(
        writer: writer, stateDirectory: directory.appendingPathComponent("state"), logger: testLogger
      ).run(kills: kills, seed: seed, focus: focus)
    }
  }
  return (kills, seed, report)
}
