// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Foundation
import Logging
import Testing
import Uplink

@Suite("The status file and what changed in a reloaded profile")
struct ServiceStatusTests {
  private func status(phase: AgentStatus.Phase = .running) -> AgentStatus {
    var status = AgentStatus(
      version: "test", pid: 1, deviceID: "bench", profile: "p.yaml", phase: phase,
      startedAt: Date(timeIntervalSince1970: 1_800_000_000), updatedAt: Date(timeIntervalSince1970: 1_800_000_060),
      camera: .init(source: "v4l2", device: "/dev/video0", state: "streaming"), gps: .init(state: "3d"))
    status.counters.frames = 1800
    status.counters.sightings = 12
    status.counters.candidates = 1
    status.queue = .init(depth: 2, capacity: 8, droppedFrames: 5)
    return status
  }

  @Test("written atomically, mode 0600, and read back equal")
  func roundTrip() async throws {
    try await withTemporaryDirectory { directory in
      let written = status()
      try StatusFile.write(written, in: directory)
      try StatusFile.write(written, in: directory)
      #expect(try StatusFile.read(in: directory) == written)
      let attributes = try FileManager.default.attributesOfItem(atPath: StatusFile.url(in: directory).path)
      #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
      #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [StatusFile.name])
    }
  }

  @Test("a missing or damaged file says so")
  func unreadable() async throws {
    try await withTemporaryDirectory { directory in
      #expect { try StatusFile.read(in: directory) } throws: { ($0 as? StatusFileError)?.code == .missing }
      try Data("{".utf8).write(to: StatusFile.url(in: directory))
      #expect { try StatusFile.read(in: directory) } throws: { ($0 as? StatusFileError)?.code == .damaged }
    }
  }

  @Test("systemd's line carries frames, sightings and candidates")
  func systemdLine() {
    #expect(
      status().systemdLine
        == "running: 1800 frames (0.0 fps), 12 sightings, 1 candidates, 5 dropped; camera streaming, gps 3d")
  }

  @Test("alarms name what a technician should look at")
  func alarms() {
    var faulty = status()
    faulty.camera.state = "faulted:deviceUnplugged"
    faulty.gps.state = "no-gpsd"
    faulty.watchdog = "pipeline-stalled"
    faulty.vault = .init(liveBytes: 95, maxBytes: 100)
    let alarms = AgentStatus.alarms(for: faulty)
    #expect(alarms.count == 4, "\(alarms)")
    #expect(AgentStatus.alarms(for: status()).isEmpty)
    var rollover = status()
    rollover.gps.clockProblem = "fix dated 2041-02-14T06:00:00.000Z is 5187.0 days ahead of the system clock"
    #expect(
      AgentStatus.alarms(for: rollover) == ["GPS time refused, nothing is chalked: \(rollover.gps.clockProblem!)"])
    var refusedCheckpoint = status()
    refusedCheckpoint.uplink = UplinkStatus()
    refusedCheckpoint.uplink?.hubAuditProblem = "checkpoint 7 has 12 entries, fewer than the 15 already held"
    #expect(
      AgentStatus.alarms(for: refusedCheckpoint) == [
        "the hub's audit checkpoint was refused (its audit may have been rewritten): "
          + "checkpoint 7 has 12 entries, fewer than the 15 already held"
      ])
  }

  @Test("a reload lists the changed keys by name")
  func profileChanges() throws {
    let old = try DeviceProfile.load(
      from: TestPaths.packageRoot.appendingPathComponent("device-profiles/replay-default.yaml").path)
    var new = old
    #expect(ProfileChanges.between(old, new).isEmpty)
    new.camera.fps = 15
    new.gps.port = 2948
    new.logLevel = .debug
    new.deviceID = DeviceID("other")
    #expect(ProfileChanges.between(old, new) == ["camera.fps", "deviceID", "gps.port", "logLevel"])
    #expect(ProfileChanges.sections(between: old, new) == ["camera", "deviceID", "gps", "logLevel"])
  }
}
