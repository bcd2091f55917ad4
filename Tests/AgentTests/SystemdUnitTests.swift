// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineTestKit
import Foundation
import Testing

@Suite("systemd unit")
struct SystemdUnitTests {
  /// The unit as installed, but pointing at the binary this build made (verify fails when ExecStart is missing).
  private func stagedUnit(in directory: URL) throws -> URL {
    let unit = TestPaths.packageRoot.appendingPathComponent("systemd/chalkline.service")
    let text = try String(contentsOf: unit, encoding: .utf8)
      .replacingOccurrences(of: "/usr/local/bin/chalkline", with: TestPaths.product("chalkline").path)
    let staged = directory.appendingPathComponent("chalkline.service")
    try text.write(to: staged, atomically: true, encoding: .utf8)
    return staged
  }

  @Test("systemd-analyze verify prints nothing on stderr")
  func verify() async throws {
    try await withTemporaryDirectory { directory in
      let unit = try stagedUnit(in: directory)
      let result = try runCommand(URL(fileURLWithPath: "/usr/bin/systemd-analyze"), ["verify", unit.path])
      #expect(result.status == 0)
      // Unknown keys and bad values only warn on stderr with exit status 0.
      #expect(result.standardError.isEmpty, "\(result.standardError)")
    }
  }

  @Test("the offline security exposure stays at 2.0 or below")
  func exposure() async throws {
    try await withTemporaryDirectory { directory in
      let unit = try stagedUnit(in: directory)
      let result = try runCommand(
        URL(fileURLWithPath: "/usr/bin/systemd-analyze"), ["security", "--offline=yes", "--no-pager", unit.path])
      let line = try #require(
        result.standardOutput.split(separator: "\n").first { $0.contains("Overall exposure level") })
      let figure = try #require(line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) })
      #expect(figure <= 2.0, "\(line)")
    }
  }

  @Test("the unit carries the hardening the agent relies on")
  func hardening() throws {
    let text = try String(
      contentsOf: TestPaths.packageRoot.appendingPathComponent("systemd/chalkline.service"), encoding: .utf8)
    for line in [
      "Type=notify", "Restart=on-failure", "SupplementaryGroups=video", "StateDirectory=chalkline",
      "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes", "DevicePolicy=closed",
      "DeviceAllow=char-video4linux rw", "CapabilityBoundingSet=", "SystemCallFilter=@system-service",
    ] {
      #expect(text.split(separator: "\n").contains(Substring(line)), "missing \(line)")
    }
    #expect(text.contains("\nWatchdogSec="))
    #expect(text.contains("\nMemoryMax="))
    #expect(text.contains("\nRestrictAddressFamilies="))
  }
}
