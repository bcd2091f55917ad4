// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineTestKit
import Foundation
import Testing

/// `chalkline keys …`, `status` and `audit verify` find the agent's state directory as the README
/// shows them, without `--state-dir`: the profile's `vault.state_dir`.
@Suite("vault commands take the state directory from the profile")
struct VaultCommandsProfileTests {
  @Test("keys init, keys show and audit verify with --profile and no --state-dir")
  func stateDirectoryFromProfile() async throws {
    try await withTemporaryDirectory(prefix: "cl-vaultcmd") { directory in
      let state = directory.appendingPathComponent("state")
      let profile = directory.appendingPathComponent("profile.yaml")
      try replayProfileText(state: state).write(to: profile, atomically: true, encoding: .utf8)
      let chalkline = TestPaths.product("chalkline")
      let made = try runCommand(chalkline, ["keys", "init", "--profile", profile.path, "--json"])
      #expect(made.status == 0, "\(made.standardError)")
      #expect(FileManager.default.fileExists(atPath: state.appendingPathComponent("keys").path))
      let shown = try runCommand(chalkline, ["keys", "show", "--profile", profile.path, "--json"])
      #expect(shown.status == 0, "\(shown.standardError)")
      #expect(shown.standardOutput.contains("\"state_dir\" : \"\(state.path)\""), "\(shown.standardOutput)")
      let verified = try runCommand(chalkline, ["audit", "verify", "--profile", profile.path])
      #expect(verified.status == 0, "\(verified.standardError)")
      #expect(verified.standardOutput.contains("audit log intact"))
      // A profile that does not load says so and how to do without it.
      let missing = try runCommand(
        chalkline, ["keys", "show", "--profile", directory.appendingPathComponent("x").path])
      #expect(missing.status == 2)
      #expect(missing.standardError.contains("--state-dir"))
    }
  }
}
