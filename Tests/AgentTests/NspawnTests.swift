// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineTestKit
import Foundation
import Testing

/// systemd for real: the agent installed as a package would be (`make install-files`, sysusers,
/// tmpfiles, a vehicle profile with TLS files) and booted under systemd in a Debian container
/// (systemd-nspawn), by `tools/nspawn/boot-test.sh`. The rootfs is built once (debootstrap, a few minutes) and
/// cached in /var/cache/chalkline-nspawn; each boot then takes under a minute.
@Suite("systemd in a container", .serialized, .enabled(if: nspawnAvailable, "needs root and systemd-nspawn"))
struct NspawnTests {
  @Test(
    "from the installed files: modes as check-profile asks after a boot, Type=notify reaches active, STATUS shows, a stalled pipeline trips the watchdog and systemd restarts it"
  )
  func bootAndStall() async throws {
    try await withTemporaryDirectory(prefix: "cl-nspawn") { out in
      let script = TestPaths.packageRoot.appendingPathComponent("tools/nspawn/boot-test.sh")
      let build = TestPaths.product("chalkline").deletingLastPathComponent()
      let patrol = GeneratedPatrol.directory.path
      // A boot takes up to a minute: run it on a thread of its own, not on the cooperative pool
      // (two threads here) that the other suites' daemons need meanwhile.
      let result = try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try runCommand(script, [build.path, patrol, out.path]) }) }.start()
      }
      #expect(result.status == 0, "\(result.standardError)")
      let findings = try String(contentsOf: out.appendingPathComponent("result.txt"), encoding: .utf8)
      let journal = (try? String(contentsOf: out.appendingPathComponent("journal.txt"), encoding: .utf8)) ?? ""
      let lines = findings.split(separator: "\n").map(String.init)
      func line(_ key: String) -> String? { lines.first { $0.hasPrefix(key + " ") } }
      // After the package's tmpfiles and a boot's, every file is as check-profile asks.
      let modes = lines.filter { $0.hasPrefix("MODE ") }
      #expect(modes.count == 7, "\(findings)")
      #expect(modes.contains("MODE /etc/chalkline/tls/device.key 600 chalkline:chalkline"), "\(findings)")
      #expect(modes.contains("MODE /etc/chalkline/profile.yaml 640 root:chalkline"), "\(findings)")
      #expect(modes.contains("MODE /etc/chalkline 750 root:chalkline"), "\(findings)")
      #expect(line("CHECK-PROFILE") == "CHECK-PROFILE ok", "\(findings)")
      #expect(line("ACTIVE") == "ACTIVE yes", "\(findings)")
      #expect(line("STATUS")?.contains(" sightings, ") == true, "\(findings)")
      #expect(line("CLI-STATUS") == "CLI-STATUS ok \"phase\":\"running\"", "\(findings)")
      #expect(line("RESTARTED")?.hasPrefix("RESTARTED no") == false, "\(findings)")
      #expect(lines.contains("DONE"), "\(findings)")
      #expect(journal.contains("Watchdog timeout"), "no watchdog timeout in the journal")
      #expect(journal.contains("profile reloaded"), "no reload in the journal")
      #expect(journal.contains("agent running"))
    }
  }
}

/// Root and systemd-nspawn are there (and CHALKLINE_SKIP_NSPAWN is not set).
let nspawnAvailable =
  getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-nspawn")
  && ProcessInfo.processInfo.environment["CHALKLINE_SKIP_NSPAWN"] == nil
