// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Foundation
import Testing

@Suite("sd_notify without libsystemd")
struct ServiceNotifierTests {
  @Test("READY, STATUS, WATCHDOG and STOPPING arrive as datagrams on a path socket")
  func pathSocket() async throws {
    try await withTemporaryDirectory(prefix: "cl-notify") { directory in
      let receiver = try NotifyReceiver(path: directory.appendingPathComponent("n.sock").path)
      let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.path])
      #expect(notifier.isEnabled)
      #expect(notifier.ready(status: "pipeline running"))
      #expect(notifier.status("12 frames\n3 sightings"))
      #expect(notifier.watchdog())
      #expect(notifier.stopping())
      #expect(
        receiver.messages == [
          "READY=1\nSTATUS=pipeline running", "STATUS=12 frames 3 sightings", "WATCHDOG=1", "STOPPING=1",
        ])
    }
  }

  @Test("an abstract socket (@name) works too")
  func abstractSocket() throws {
    let receiver = try NotifyReceiver(path: "@chalkline-notify-test-\(getpid())")
    let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": receiver.path])
    #expect(notifier.watchdog())
    #expect(receiver.messages == ["WATCHDOG=1"])
  }

  @Test("outside systemd nothing is sent and nothing fails")
  func disabled() {
    let notifier = SystemdNotifier(environment: [:])
    #expect(!notifier.isEnabled)
    #expect(!notifier.ready())
    #expect(notifier.watchdogTimeout == nil)
  }

  @Test(
    "WATCHDOG_USEC counts only for the process WATCHDOG_PID names",
    arguments: [
      (["WATCHDOG_USEC": "30000000"], Duration?.some(.seconds(30))),
      (["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4242"], Duration?.some(.seconds(30))),
      (["WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "4243"], nil),
      (["WATCHDOG_USEC": "0"], nil),
      (["WATCHDOG_USEC": "soon"], nil),
    ])
  func watchdogTimeout(environment: [String: String], expected: Duration?) {
    #expect(SystemdNotifier(environment: environment, pid: 4242).watchdogTimeout == expected)
  }
}
