// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Foundation
import Logging
import Testing
import Vault

/// The vehicle process keeps its memory out of core dumps, and `chalkline record` keeps its raw
/// pictures private and audited.
@Suite("vehicle process", .serialized)
struct VehicleProcessTests {
  let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .warning, journal: false) }

  @Test("the debug switch leaves the process alone; without it no core dump can be written")
  func noCoreDumps() throws {
    let unit = try String(
      contentsOf: TestPaths.packageRoot.appendingPathComponent("systemd/chalkline.service"), encoding: .utf8)
    #expect(unit.split(separator: "\n").contains("LimitCORE=0"))
    let before = ProcessHardening.current()
    #expect(try ProcessHardening.apply(environment: [ProcessHardening.debugSwitch: "1"], logger: logger) == before)
    let after = try ProcessHardening.apply(environment: [:], logger: logger)
    #expect(!after.dumpable && after.coreLimit == 0)
  }

  @Test("record says what it keeps, refuses a directory others can read, and audits the recording")
  func recordIsPrivateAndAudited() async throws {
    try await withTemporaryDirectory(prefix: "cl-record") { directory in
      let chalkline = TestPaths.product("chalkline")
      let help = try runCommand(chalkline, ["record", "--help"])
      #expect(help.standardOutput.contains("raw pictures of every car"), "\(help.standardOutput)")
      let state = directory.appendingPathComponent("state")
      try Vault.initialize(stateDirectory: state, actor: "test", purpose: "test", logger: logger).close()
      let open = directory.appendingPathComponent("open")
      try FileManager.default.createDirectory(at: open, withIntermediateDirectories: true)
      chmod(open.path, 0o755)
      let missingCamera = ["--device", directory.appendingPathComponent("no-camera").path, "--duration", "1"]
      let refused = try runCommand(
        chalkline, ["record", "--out", open.path, "--state-dir", state.path] + missingCamera)
      #expect(refused.status != 0)
      #expect(refused.standardError.contains("lets others read raw pictures"), "\(refused.standardError)")
      let unaudited = try runCommand(
        chalkline, ["record", "--out", directory.appendingPathComponent("x").path] + missingCamera)
      #expect(unaudited.status != 0 && unaudited.standardError.contains("must be audited"))
      // A new directory is made 0700 and the recording audited before the camera is opened.
      let out = directory.appendingPathComponent("dumps/new")
      _ = try runCommand(chalkline, ["record", "--out", out.path, "--state-dir", state.path] + missingCamera)
      var info = stat()
      #expect(stat(out.path, &info) == 0 && info.st_mode & 0o777 == 0o700)
      let vault = try Vault(stateDirectory: state, exclusive: false, logger: logger)
      defer { try? vault.close() }
      #expect(try vault.auditEntries().last?.action == "record.start")
    }
  }
}
