// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineTestKit
import Foundation
import Testing

/// `chalkline check-zones` as a technician runs it on the city's files.
@Suite("check-zones")
struct CheckZonesCommandTests {
  static let zones = TestPaths.packageRoot.appendingPathComponent("device-profiles/zones")

  @Test("the shipped zones and policies pass, each zone described")
  func shippedZonesPass() throws {
    let result = try runCommand(
      TestPaths.product("chalkline"),
      [
        "check-zones", Self.zones.appendingPathComponent("san-jose-downtown.json").path,
        Self.zones.appendingPathComponent("san-jose-downtown-policies.json").path, "--periods",
        Self.zones.appendingPathComponent("san-jose-holidays.json").path, "--json",
      ])
    #expect(result.status == 0, "\(result.standardError)")
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
    #expect(report["valid"] as? Bool == true)
    #expect(report["time_zone"] as? String == "America/Los_Angeles")
    #expect(!((report["zones"] as? [Any]) ?? []).isEmpty)
  }

  @Test("a problem in the policies file names that file, in the shape check-profile prints")
  func problemNamesItsFile() async throws {
    try await withTemporaryDirectory(prefix: "cl-checkzones") { directory in
      let policies = directory.appendingPathComponent("policies.json")
      let text = try String(
        contentsOf: Self.zones.appendingPathComponent("san-jose-downtown-policies.json"), encoding: .utf8)
      let broken = text.replacingOccurrences(of: "\"max_stay\": 2,", with: "\"max_stay\": -2,")
      #expect(broken != text)
      try broken.write(to: policies, atomically: true, encoding: .utf8)
      let zones = Self.zones.appendingPathComponent("san-jose-downtown.json").path
      let result = try runCommand(
        TestPaths.product("chalkline"),
        [
          "check-zones", zones, policies.path, "--periods",
          Self.zones.appendingPathComponent("san-jose-holidays.json").path, "--json",
        ])
      #expect(result.status == 1)
      let report = try #require(
        try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Any])
      let problems = try #require(report["problems"] as? [[String: Any]])
      let first = try #require(problems.first, "\(report)")
      #expect(first["file"] as? String == policies.path)
      #expect((first["key"] as? String)?.hasSuffix("max_stay") == true, "\(first)")
      #expect((first["line"] as? Int ?? 0) > 1)
      #expect((first["problem"] as? String)?.contains("-2") == true)
    }
  }
}
