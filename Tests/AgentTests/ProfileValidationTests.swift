// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import ChalklineTestKit
import Foundation
import Logging
import Testing

@testable import Agent

/// A valid minimal profile, line by line, so a case can replace or drop lines by their key.
private let baseLines = [
  "device:",  // 1
  "  id: sj-pe-0001",  // 2
  "camera:",  // 3
  "  width: 1280",  // 4
  "  fps: 30",  // 5
  "  mount:",  // 6
  "    side: right",  // 7
  "    curb_distance_m: 3.0",  // 8
  "enforcement:",  // 9
  "  zones: zones.json",  // 10
  "  grace: 5m",  // 11
  "vault:",  // 12
  "  state_dir: state",  // 13
]

/// One broken profile: how it is broken and what the checker must say about it.
struct BrokenProfile: Sendable, CustomTestStringConvertible {
  var name: String
  /// Edits to the base profile: replace line N (1-based) with text; nil removes it.
  var replace: [Int: String?] = [:]
  var append: [String] = []
  /// Expected problems: line, key path, a fragment of the message.
  var expected: [(line: Int, key: String, fragment: String)]
  var testDescription: String { name }

  var text: String {
    var lines: [String] = []
    for (index, line) in baseLines.enumerated() {
      if let replacement = replace[index + 1] {
        if let replacement { lines.append(replacement) }
      } else {
        lines.append(line)
      }
    }
    return (lines + append).joined(separator: "\n") + "\n"
  }
}

private let brokenProfiles: [BrokenProfile] = [
  BrokenProfile(
    name: "misspelt key", replace: [4: "  widht: 1280"],
    expected: [(4, "camera.widht", "did you mean camera.width?")]),
  BrokenProfile(
    name: "key in the wrong section", append: ["  port: 2947"],
    expected: [(14, "vault.port", "did you mean gps.port?")]),
  BrokenProfile(
    name: "text where a number belongs", replace: [4: "  width: wide"],
    expected: [(4, "camera.width", "\"wide\" is not a whole number (expected a whole number from 160 to 4096)")]),
  BrokenProfile(
    name: "number out of range", replace: [5: "  fps: 500"],
    expected: [(5, "camera.fps", "500 is out of range (expected a number from 1 to 120)")]),
  BrokenProfile(
    name: "required key missing", replace: [7: nil],
    expected: [(6, "camera.mount.side", "is missing (expected one of left, right)")]),
  BrokenProfile(
    name: "required section missing", replace: [1: nil, 2: nil],
    expected: [(1, "device.id", "is missing")]),
  BrokenProfile(
    name: "zones file that does not exist", replace: [10: "  zones: nowhere.json"],
    expected: [(10, "enforcement.zones", "nowhere.json does not exist (expected an existing file)")]),
  BrokenProfile(
    name: "value not among the choices", replace: [7: "    side: up"],
    expected: [(7, "camera.mount.side", "\"up\" is not allowed (expected one of left, right)")]),
  BrokenProfile(
    name: "duration that is not one", replace: [11: "  grace: soon"],
    expected: [(11, "enforcement.grace", "\"soon\" is not a duration")]),
  BrokenProfile(
    name: "duration out of range", replace: [11: "  grace: 3h"],
    expected: [(11, "enforcement.grace", "3h is out of range (expected a duration from 0s to 1h")]),
  BrokenProfile(
    name: "unknown section", append: ["enforcement_extra: 1"],
    expected: [(14, "enforcement_extra", "is not a known key")]),
  BrokenProfile(
    name: "unknown time zone", replace: [11: "  time_zone: Mars/Olympus_Mons"],
    expected: [(11, "enforcement.time_zone", "is not a known time zone")]),
  BrokenProfile(
    name: "a time zone abbreviation", replace: [11: "  time_zone: PST"],
    expected: [(11, "enforcement.time_zone", "\"PST\" is not a known time zone")]),
  BrokenProfile(
    name: "plain http upstream", append: ["uplink:", "  url: http://hub.example/"],
    expected: [
      (15, "uplink.url", "is not an https URL"), (14, "uplink.client_certificate", "is missing"),
      (14, "uplink.client_key", "is missing"), (14, "uplink.ca_certificate", "is missing"),
      (14, "uplink.upstream_keys", "is missing"),
    ]),
  BrokenProfile(
    name: "uplink without its certificates", append: ["uplink:", "  url: https://hub.example/"],
    expected: [
      (14, "uplink.client_certificate", "is missing"), (14, "uplink.client_key", "is missing"),
      (14, "uplink.ca_certificate", "is missing"), (14, "uplink.upstream_keys", "is missing"),
    ]),
  BrokenProfile(
    name: "unknown log level", append: ["logging:", "  level: loud"],
    expected: [(15, "logging.level", "\"loud\" is not allowed")]),
  BrokenProfile(
    name: "pixel format listed twice", replace: [4: "  pixel_formats: [MJPG, YUYV, MJPG]"],
    expected: [(4, "camera.pixel_formats", "lists MJPG twice")]),
  BrokenProfile(
    name: "section written as a value", replace: [12: "vault: big", 13: nil],
    expected: [(12, "vault", "is a single value, not a section")]),
  BrokenProfile(
    name: "mapping where a value belongs", replace: [4: "  width:", 5: "    pixels: 1280"],
    expected: [(5, "camera.width", "is a mapping, not a single value")]),
  BrokenProfile(
    name: "key written twice", append: ["device:", "  id: again"],
    expected: [(1, "device", "appears twice")]),
  BrokenProfile(
    name: "broken YAML", replace: [5: "  fps: [30"],
    expected: [(6, "(profile)", "is not valid YAML")]),
  BrokenProfile(
    name: "bad device id", replace: [2: "  id: Truck 7!"],
    expected: [(2, "device.id", "\"Truck 7!\" is not allowed")]),
  BrokenProfile(
    name: "several problems at once", replace: [4: "  width: -1", 7: "    side: middle"],
    append: ["gps:", "  prot: 1"],
    expected: [
      (4, "camera.width", "out of range"), (7, "camera.mount.side", "is not allowed"),
      (15, "gps.prot", "did you mean gps.port?"),
    ]),
]

@Suite("Device profile validation")
struct ProfileValidationTests {
  private func check(_ text: String, in directory: URL) -> Result<DeviceProfile, FileRefusal> {
    let file = directory.appendingPathComponent("profile.yaml")
    try! text.write(to: file, atomically: true, encoding: .utf8)
    return Result { () throws(FileRefusal) in try DeviceProfile.load(from: file.path) }
  }

  private func withZones<T>(_ body: (URL) async throws -> T) async rethrows -> T {
    try await withTemporaryDirectory { directory in
      try! "{}".write(to: directory.appendingPathComponent("zones.json"), atomically: true, encoding: .utf8)
      return try await body(directory)
    }
  }

  @Test("the base profile is valid and takes defaults")
  func baseProfileIsValid() async throws {
    try await withZones { directory in
      let profile = try check(BrokenProfile(name: "base", expected: []).text, in: directory).get()
      #expect(profile.deviceID == DeviceID("sj-pe-0001"))
      #expect(profile.camera.height == 720)
      #expect(profile.camera.pixelFormats == ["MJPG", "YUYV", "GREY"])
      #expect(profile.enforcement.grace == 300)
      #expect(profile.enforcement.zonesFile == directory.appendingPathComponent("zones.json").standardizedFileURL.path)
      #expect(profile.vault.stateDirectory == directory.appendingPathComponent("state").standardizedFileURL.path)
      #expect(profile.vault.quota == 2 << 30)
      #expect(profile.uplink == nil)
      #expect(profile.logLevel == .info)
    }
  }

  @Test("a broken profile is refused with every problem located", arguments: brokenProfiles)
  func brokenProfileIsRefused(_ broken: BrokenProfile) async throws {
    try await withZones { directory in
      let result = check(broken.text, in: directory)
      guard case .failure(let error) = result else {
        Issue.record("profile was accepted")
        return
      }
      #expect(error.code == .invalid)
      #expect(error.problems.count == broken.expected.count, "\(error.description)")
      for expected in broken.expected {
        let match = error.problems.first { $0.keyPath == expected.key && $0.line == expected.line }
        let problem = try #require(match, "no problem for \(expected.key) at line \(expected.line) in:\n\(error)")
        #expect(problem.description.contains(expected.fragment), "\(problem)")
        #expect(
          problem.description.hasPrefix(directory.appendingPathComponent("profile.yaml").path + ":\(expected.line): "))
      }
    }
  }

  @Test("a private key readable by others is refused")
  func privateKeyModeIsChecked() async throws {
    try await withZones { directory in
      for name in ["device.pem", "device.key", "ca.pem", "keys.json"] {
        _ = FileManager.default.createFile(
          atPath: directory.appendingPathComponent(name).path, contents: Data("x".utf8))
      }
      let keyPath = directory.appendingPathComponent("device.key").path
      chmod(keyPath, 0o644)
      let text =
        BrokenProfile(name: "uplink", expected: []).text
        + "uplink:\n  url: https://hub.example/\n  client_certificate: device.pem\n  client_key: device.key\n"
        + "  ca_certificate: ca.pem\n  upstream_keys: keys.json\n"
      guard case .failure(let error) = check(text, in: directory) else {
        Issue.record("a world-readable key was accepted")
        return
      }
      #expect(error.problems.count == 1)
      #expect(error.problems.first?.keyPath == "uplink.client_key")
      #expect(error.problems.first?.description.contains("mode 0644") == true)
      #expect(error.problems.first?.description.contains("chmod 600") == true)
      chmod(keyPath, 0o600)
      let profile = try check(text, in: directory).get()
      #expect(profile.uplink?.url.host == "hub.example")
    }
  }

  @Test(
    "a private key is refused unless mode 0600 or 0400, saying who else may use it",
    arguments: [
      (0o600, nil), (0o400, nil), (0o640, "is readable by its group (mode 0640)"),
      (0o604, "is readable by others (mode 0604)"), (0o644, "is readable by its group and others (mode 0644)"),
      (0o660, "is readable and writable by its group (mode 0660)"), (0o700, "is not mode 0600 or 0400 (mode 0700)"),
      (0o200, "is not mode 0600 or 0400 (mode 0200)"),
    ] as [(Int, String?)])
  func privateKeyModes(mode: Int, problem: String?) async throws {
    try await withZones { directory in
      for name in ["device.pem", "device.key", "ca.pem", "keys.json"] {
        _ = FileManager.default.createFile(
          atPath: directory.appendingPathComponent(name).path, contents: Data("x".utf8))
      }
      chmod(directory.appendingPathComponent("device.key").path, mode_t(mode))
      let text =
        BrokenProfile(name: "uplink", expected: []).text
        + "uplink:\n  url: https://hub.example/\n  client_certificate: device.pem\n  client_key: device.key\n"
        + "  ca_certificate: ca.pem\n  upstream_keys: keys.json\n"
      switch (check(text, in: directory), problem) {
      case (.success, nil): break
      case (.failure(let error), let problem?):
        #expect(error.problems.map(\.keyPath) == ["uplink.client_key"])
        #expect(error.problems.first?.problem.hasSuffix(problem) == true, "\(error)")
        #expect(error.problems.first?.description.contains("chmod 600") == true)
      case (.success, _): Issue.record("mode 0\(String(mode, radix: 8)) was accepted")
      case (.failure(let error), nil): Issue.record("mode 0\(String(mode, radix: 8)) was refused: \(error)")
      }
    }
  }

  @Test("an expectation's examples lie in the key's range, and README.md shows each key's expectation")
  func expectationsFitTheirRanges() throws {
    let stall = try #require(ProfileSchema.byPath["camera.stall_timeout"])
    #expect(stall.kind.expectation == "a duration from 0.5s to 1m, like 2s, 10s or 30s")
    let reserve = try #require(ProfileSchema.byPath["vault.space_reserve"])
    #expect(reserve.kind.expectation == "a size from 0B to 1GiB, like 64KiB, 256MiB or 512MiB")
    let readme = try String(
      contentsOf: TestPaths.packageRoot.appendingPathComponent("device-profiles/README.md"), encoding: .utf8)
    for key in ProfileSchema.keys {
      #expect(readme.contains("| `\(key.path)` | \(key.kind.expectation) |"), "README.md row of \(key.path)")
    }
  }

  @Test("auto or a whole number: a fraction is neither")
  func autoOrWholeNumber() async throws {
    try await withZones { directory in
      let text = BrokenProfile(name: "exposure", replace: [5: "  exposure: 800.5"], expected: []).text
      guard case .failure(let error) = check(text, in: directory) else {
        Issue.record("a fractional exposure was accepted")
        return
      }
      #expect(error.problems.first?.problem == "\"800.5\" is neither auto nor a whole number", "\(error)")
    }
  }

  @Test("an unreadable or empty file")
  func unreadableProfile() async throws {
    try await withTemporaryDirectory { directory in
      let missing = directory.appendingPathComponent("missing.yaml").path
      #expect(throws: FileRefusal.self) { try DeviceProfile.load(from: missing) }
      do throws(FileRefusal) {
        _ = try DeviceProfile.load(from: missing)
      } catch {
        #expect(error.code == .unreadable)
      }
      let binary = directory.appendingPathComponent("binary.yaml")
      try Data([0xFF, 0xFE, 0x00, 0xC3]).write(to: binary)
      do throws(FileRefusal) {
        _ = try DeviceProfile.load(from: binary.path)
        Issue.record("binary file accepted")
      } catch {
        #expect(error.code == .unreadable)
      }
      let empty = directory.appendingPathComponent("empty.yaml")
      try Data().write(to: empty)
      do throws(FileRefusal) {
        _ = try DeviceProfile.load(from: empty.path)
        Issue.record("empty file accepted")
      } catch {
        #expect(error.code == .invalid)
        #expect(
          error.lines == [
            "\(empty.path):1: (profile): is empty or not a mapping of keys (expected sections such as device:, camera:)"
          ])
      }
    }
  }

  @Test("every schema default is itself valid")
  func defaultsAreValid() {
    for key in ProfileSchema.keys where key.defaultValue != nil {
      #expect(ProfileChecker.defaultValue(key.path) != nil, "default of \(key.path) does not check")
    }
  }

  @Test(
    "durations and sizes",
    arguments: [
      ("90s", 90.0), ("5m", 300), ("2h", 7200), ("7d", 604_800), ("1h30m", 5400), ("500ms", 0.5), ("12", 12),
    ])
  func durations(_ text: String, _ seconds: Double) {
    #expect(DurationText.parse(text) == seconds)
  }

  @Test("sizes", arguments: [("512MiB", Int64(512 << 20)), ("2GiB", 2 << 30), ("1GB", 1_000_000_000), ("4096", 4096)])
  func sizes(_ text: String, _ bytes: Int64) {
    #expect(SizeText.parse(text) == bytes)
    #expect(SizeText.parse("lots") == nil)
    #expect(DurationText.parse("1x") == nil)
  }
}
