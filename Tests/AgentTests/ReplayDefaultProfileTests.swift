// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Foundation
import Testing

/// `chalkline replay DUMP` without `--profile` uses the default compiled into the binary, so it
/// runs from any folder, and that default is the shipped file with the zones it names.
@Suite("the embedded replay profile")
struct ReplayDefaultProfileTests {
  @Test("the embedded texts are the shipped files")
  func embeddedTextsAreTheFiles() throws {
    let folder = TestPaths.packageRoot.appendingPathComponent("device-profiles")
    #expect(ReplayDefaultProfile.files.map(\.path).first == "replay-default.yaml")
    for file in ReplayDefaultProfile.files {
      let shipped = try String(contentsOf: folder.appendingPathComponent(file.path), encoding: .utf8)
      #expect(
        file.text == shipped,
        "device-profiles/\(file.path) changed: copy it into Sources/Agent/Replay/ReplayDefaultProfile.swift")
    }
  }

  @Test("chalkline replay DUMP runs from a folder outside the repository")
  func replayFromAnyFolder() async throws {
    let dump = GeneratedPatrol.directory
    try await withTemporaryDirectory(prefix: "cl-replay-cwd") { directory in
      let state = directory.appendingPathComponent("state")
      let command = [TestPaths.product("chalkline").path, "replay", dump.path, "--state-dir", state.path, "--json"]
        .map { "'\($0)'" }.joined(separator: " ")
      let result = try runCommand(URL(fileURLWithPath: "/bin/sh"), ["-c", "cd '\(directory.path)' && exec \(command)"])
      #expect(result.status == 0, "\(result.standardError)")
      let summary = try #require(
        try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
      #expect((summary["outbox"] as? Int ?? 0) > 0, "\(summary)")
    }
  }
}
