// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import ChalklineTestKit
import Foundation
import Testing

@testable import Agent

@Suite("Shipped device profiles and the check-profile command")
struct ShippedProfilesTests {
  static let profiles = TestPaths.packageRoot.appendingPathComponent("device-profiles")

  @Test("the replay default is valid as shipped")
  func replayDefault() throws {
    let profile = try DeviceProfile.load(from: Self.profiles.appendingPathComponent("replay-default.yaml").path)
    #expect(profile.uplink == nil)
    #expect(profile.camera.side == .right)
  }

  @Test("the vehicle example is valid on a staged vehicle image")
  func vehicleExample() async throws {
    try await withTemporaryDirectory { root in
      let files = [
        "etc/chalkline/zones.json", "etc/chalkline/zones-policies.json", "etc/chalkline/holidays.json",
        "etc/chalkline/tls/device.pem", "etc/chalkline/tls/device.key",
        "etc/chalkline/tls/hub-ca.pem", "etc/chalkline/upstream-keys.json",
      ]
      for file in files {
        let url = root.appendingPathComponent(file)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: url)
        chmod(url.path, 0o600)
      }
      let path = Self.profiles.appendingPathComponent("vehicle-sj-0142.yaml").path
      let profile = try DeviceProfile.load(from: path, root: root.path)
      #expect(profile.deviceID == DeviceID("sj-pe-0142"))
      #expect(profile.uplink?.clientKey == "/etc/chalkline/tls/device.key")
      #expect(profile.camera.exposure == .manual(800))
      // Without the staged files, each missing one is its own problem.
      #expect(throws: FileRefusal.self) { try DeviceProfile.load(from: path) }
    }
  }

  @Test("device-profiles/README.md documents every key")
  func readmeListsEveryKey() throws {
    let readme = try String(contentsOf: Self.profiles.appendingPathComponent("README.md"), encoding: .utf8)
    for key in ProfileSchema.keys {
      #expect(readme.contains("`\(key.path)`"), "README.md does not document \(key.path)")
    }
  }

  @Test("check-profile exits 0 valid, 1 invalid, 2 unreadable")
  func exitStatus() async throws {
    let chalkline = TestPaths.product("chalkline")
    let valid = try runCommand(
      chalkline, ["check-profile", Self.profiles.appendingPathComponent("replay-default.yaml").path])
    #expect(valid.status == 0, "\(valid.standardError)")
    #expect(valid.standardOutput.contains("valid profile for device replay-bench"))
    try await withTemporaryDirectory { directory in
      let broken = directory.appendingPathComponent("broken.yaml")
      try "device:\n  id: x1y\n  colour: red\n".write(to: broken, atomically: true, encoding: .utf8)
      let invalid = try runCommand(chalkline, ["check-profile", broken.path])
      #expect(invalid.status == 1)
      let lines = invalid.standardError.split(separator: "\n").map(String.init)
      #expect(
        lines.contains(
          "\(broken.path):3: device.colour: is not a known key (expected a known key: one of description, id)"))
      #expect(lines.contains { $0.hasPrefix("\(broken.path):1: camera.mount.side: is missing") })
      let json = try runCommand(chalkline, ["check-profile", "--json", broken.path])
      #expect(json.status == 1)
      let report = try JSONDecoder().decode(ProfileCheckReport.self, from: Data(json.standardOutput.utf8))
      #expect(report.valid == false)
      #expect(report.problems.contains { $0.key == "device.colour" && $0.line == 3 })
      let unreadable = try runCommand(chalkline, ["check-profile", directory.appendingPathComponent("none.yaml").path])
      #expect(unreadable.status == 2)
      #expect(unreadable.standardError.contains("cannot read the profile"))
    }
  }
}
