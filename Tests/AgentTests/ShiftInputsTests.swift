// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineModel
import ChalklineTestKit
import Crypto
import Enforcement
import Foundation
import HubDevTools
import Logging
import Testing
import Vault

/// A vehicle's installation in a temporary folder: the shipped zones, policies and holidays
/// beside a profile that names them by relative path, a development PKI and the hub's keys.
private struct Installation {
  var directory: URL
  var pki: DevelopmentPKI
  var identity: DevelopmentPKI.Identity

  init(in directory: URL) throws {
    self.directory = directory
    let shipped = TestPaths.packageRoot.appendingPathComponent("device-profiles/zones")
    for name in ["san-jose-downtown.json", "san-jose-downtown-policies.json", "san-jose-holidays.json"] {
      try FileManager.default.copyItem(
        at: shipped.appendingPathComponent(name), to: directory.appendingPathComponent(name))
    }
    let tls = directory.appendingPathComponent("tls")
    try FileManager.default.createDirectory(at: tls, withIntermediateDirectories: true)
    pki = try DevelopmentPKI.create(in: tls)
    identity = try pki.issue(name: "truck-7")
    chmod(identity.key, 0o600)
    let hpke = Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
    let signing = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
    try write("upstream-keys.json", "{\"hpke_public_key\": \"\(hpke)\", \"signing_public_key\": \"\(signing)\"}")
  }

  var profile: URL { directory.appendingPathComponent("profile.yaml") }

  func write(_ name: String, _ text: String) throws {
    let file = directory.appendingPathComponent(name)
    try Data(text.utf8).write(to: file)
    chmod(file.path, 0o644)
  }

  /// A profile naming the files here; `uplink` adds the hub's section, `policies` the policies file.
  func writeProfile(uplink: Bool = true, policies: Bool = true) throws {
    var lines = [
      "device:", "  id: truck-7", "camera:", "  mount:", "    side: right", "    curb_distance_m: 3.0",
      "enforcement:", "  zones: san-jose-downtown.json", "  periods: san-jose-holidays.json",
    ]
    if policies { lines.append("  policies: san-jose-downtown-policies.json") }
    lines += ["vault:", "  state_dir: state"]
    if uplink {
      lines += [
        "uplink:", "  url: https://hub.example/", "  client_certificate: \(identity.certificate)",
        "  client_key: \(identity.key)", "  ca_certificate: \(pki.caCertificate)",
        "  upstream_keys: upstream-keys.json",
      ]
    }
    try write("profile.yaml", lines.joined(separator: "\n") + "\n")
  }
}

/// One way to break an installation that `chalkline run` refuses at start.
struct BrokenInstallation: Sendable, CustomTestStringConvertible {
  var name: String
  var key: String
  var fragment: String
  fileprivate var breakIt: @Sendable (Installation) throws -> Void
  var testDescription: String { name }
}

private let brokenInstallations: [BrokenInstallation] = [
  BrokenInstallation(name: "zones file that is not JSON", key: "(document)", fragment: "(expected JSON text)") {
    try $0.write("san-jose-downtown.json", "{\"version\": \"1.1\", ")
  },
  BrokenInstallation(name: "zones without their policies", key: "policy", fragment: "san-jose-downtown.json") {
    try $0.writeProfile(policies: false)
  },
  BrokenInstallation(name: "empty upstream keys", key: "uplink.upstream_keys", fragment: "is not the hub's key file") {
    try $0.write("upstream-keys.json", "{}")
  },
  BrokenInstallation(
    name: "upstream keys owned by another user", key: "uplink.upstream_keys", fragment: "owned by uid 1234"
  ) {
    chown($0.directory.appendingPathComponent("upstream-keys.json").path, 1234, 1234)
  },
  BrokenInstallation(
    name: "empty client certificate", key: "uplink.client_certificate", fragment: "cannot be read as PEM"
  ) {
    try Data().write(to: URL(fileURLWithPath: $0.identity.certificate))
  },
  BrokenInstallation(name: "empty client key", key: "uplink.client_key", fragment: "cannot be read as a PEM") {
    try Data().write(to: URL(fileURLWithPath: $0.identity.key))
  },
  BrokenInstallation(name: "empty CA file", key: "uplink.ca_certificate", fragment: "cannot be read as PEM") {
    try Data().write(to: URL(fileURLWithPath: $0.pki.caCertificate))
  },
]

/// `check-profile` reads what `run` reads before its first frame, with the same function: a
/// profile it passes starts a shift, and one `run` would refuse is refused by the check, so the
/// unit's start check stops it before systemd restarts the agent in a loop.
@Suite("check-profile and run read the same inputs")
struct ShiftInputsTests {
  @Test("a complete installation passes, its rules read")
  func completeInstallation() async throws {
    try await withTemporaryDirectory(prefix: "cl-shift") { directory in
      let installation = try Installation(in: directory)
      try installation.writeProfile()
      let inputs = try await ShiftInputs.load(from: installation.profile.path)
      #expect(!inputs.rules.zones.isEmpty)
      #expect(inputs.upstreamKeys?.hpke.count == 32)
      let checked = try runCommand(TestPaths.product("chalkline"), ["check-profile", installation.profile.path])
      #expect(checked.status == 0, "\(checked.standardError)")
      #expect(checked.standardOutput.contains("valid profile for device truck-7"))
    }
  }

  @Test("what run refuses, check-profile refuses, naming the file and the key", arguments: brokenInstallations)
  func brokenInstallationIsRefused(_ broken: BrokenInstallation) async throws {
    try await withTemporaryDirectory(prefix: "cl-shift") { directory in
      let installation = try Installation(in: directory)
      try installation.writeProfile()
      try broken.breakIt(installation)
      do throws(FileRefusal) {
        _ = try await ShiftInputs.load(from: installation.profile.path)
        Issue.record("the broken installation was accepted")
      } catch {
        #expect(error.code == .invalid)
        #expect(error.problems.contains { $0.keyPath.contains(broken.key) }, "\(error)")
        #expect(error.description.contains(broken.fragment), "\(error)")
      }
      let checked = try runCommand(TestPaths.product("chalkline"), ["check-profile", installation.profile.path])
      #expect(checked.status == 1, "\(checked.standardOutput)")
      #expect(checked.standardError.contains(broken.fragment), "\(checked.standardError)")
      #expect(!checked.standardOutput.contains("valid profile"))
      let json = try runCommand(TestPaths.product("chalkline"), ["check-profile", "--json", installation.profile.path])
      #expect(json.status == 1)
      #expect(json.standardOutput.contains("\"valid\" : false"), "\(json.standardOutput)")
    }
  }

  @Test("--root goes before the profile's absolute paths only; relative ones are taken from its folder")
  func stagedImage() async throws {
    try await withTemporaryDirectory(prefix: "cl-shift") { directory in
      let installation = try Installation(in: directory)
      // The image holds the policies and holidays at their vehicle paths; the zones file is
      // beside the profile, named relative to it.
      let image = directory.appendingPathComponent("image")
      let etc = image.appendingPathComponent("etc/chalkline")
      try FileManager.default.createDirectory(at: etc, withIntermediateDirectories: true)
      for name in ["san-jose-downtown-policies.json", "san-jose-holidays.json"] {
        try FileManager.default.moveItem(
          at: directory.appendingPathComponent(name), to: etc.appendingPathComponent(name))
      }
      try installation.write(
        "profile.yaml",
        """
        device:
          id: truck-7
        camera:
          mount:
            side: right
            curb_distance_m: 3.0
        enforcement:
          zones: san-jose-downtown.json
          policies: /etc/chalkline/san-jose-downtown-policies.json
          periods: /etc/chalkline/san-jose-holidays.json
        vault:
          state_dir: /var/lib/chalkline

        """)
      let inputs = try await ShiftInputs.load(from: installation.profile.path, root: image.path)
      #expect(inputs.profile.enforcement.policiesFile == "/etc/chalkline/san-jose-downtown-policies.json")
      #expect(!inputs.rules.policies.isEmpty)
      // No uplink and no hub key in the image's state directory: the profile is valid, and the
      // check warns that `run` will not start until the keys are imported.
      #expect(inputs.warnings.map(\.keyPath) == ["uplink.upstream_keys"])
      let checked = try runCommand(
        TestPaths.product("chalkline"), ["check-profile", "--root", image.path, installation.profile.path])
      #expect(checked.status == 0, "\(checked.standardError)")
      #expect(checked.standardError.contains("warning: ") && checked.standardError.contains("keys import-upstream"))
      try FileManager.default.createDirectory(
        at: image.appendingPathComponent("var/lib"), withIntermediateDirectories: true)
      try seedHubKeys(in: image.appendingPathComponent("var/lib/chalkline"))
      #expect(try await ShiftInputs.load(from: installation.profile.path, root: image.path).warnings.isEmpty)
      // Without the image, the vehicle's paths are not on this machine.
      let unstaged = try runCommand(TestPaths.product("chalkline"), ["check-profile", installation.profile.path])
      #expect(unstaged.status == 1)
      #expect(unstaged.standardError.contains("/etc/chalkline/san-jose-downtown-policies.json does not exist"))
    }
  }

  @Test("a zones file that names no time zone is read in the profile's enforcement.time_zone")
  func profileTimeZoneIsTheFallback() async throws {
    try await withTemporaryDirectory(prefix: "cl-shift") { directory in
      let installation = try Installation(in: directory)
      for name in ["san-jose-downtown.json", "san-jose-downtown-policies.json"] {
        let file = directory.appendingPathComponent(name)
        var document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        document["time_zone"] = nil
        try JSONSerialization.data(withJSONObject: document).write(to: file)
      }
      try installation.writeProfile(uplink: false)
      let text = try String(contentsOf: installation.profile, encoding: .utf8)
        .replacingOccurrences(of: "enforcement:\n", with: "enforcement:\n  time_zone: America/New_York\n")
      try installation.write("profile.yaml", text)
      try seedHubKeys(in: directory.appendingPathComponent("state"))
      let inputs = try await ShiftInputs.load(from: installation.profile.path)
      #expect(inputs.rules.timeZone.identifier == "America/New_York")
      // Without the profile's word the zones file alone is still refused.
      #expect(throws: FileRefusal.self) {
        try ZonesFileLoader.load(contentsOf: directory.appendingPathComponent("san-jose-downtown.json"))
      }
    }
  }

  /// A vault in `state` that holds the hub's keys, so a profile without an uplink may start.
  private func seedHubKeys(in state: URL) throws {
    let logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
    let vault = try Vault.initialize(stateDirectory: state, actor: "test", purpose: "test", logger: logger)
    try vault.importUpstreamKeys(
      hpkePublicKey: Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation,
      signingPublicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation, actor: "test", purpose: "test")
    try vault.close()
  }
}
