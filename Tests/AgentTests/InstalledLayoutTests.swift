// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineTestKit
import Crypto
import Foundation
import HubDevTools
import Testing

/// The shipped sysusers and tmpfiles files applied to a root directory as a boot applies them
/// (`systemd-sysusers --root`, `systemd-tmpfiles --root --create`, twice): every file keeps the
/// mode and owner `check-profile` asks for, so `ExecStartPre` lets the agent start after a reboot.
@Suite(
  "installed layout",
  .enabled(
    if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-tmpfiles"),
    "needs root and systemd-tmpfiles"))
struct InstalledLayoutTests {
  @Test("tmpfiles at every boot leaves the TLS key 0600 to the agent and check-profile accepts the profile")
  func tmpfilesKeepsTheModesCheckProfileAsksFor() throws {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("cl-layout-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: root) }
    let repo = TestPaths.packageRoot
    let etc = root.appendingPathComponent("etc/chalkline")
    try FileManager.default.createDirectory(at: etc.appendingPathComponent("tls"), withIntermediateDirectories: true)
    for (directory, name, source) in [
      ("usr/local/lib/sysusers.d", "chalkline.conf", "systemd/chalkline.sysusers"),
      ("usr/local/lib/tmpfiles.d", "chalkline.conf", "systemd/chalkline.tmpfiles"),
    ] {
      let target = root.appendingPathComponent(directory)
      try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
      try FileManager.default.copyItem(
        at: repo.appendingPathComponent(source), to: target.appendingPathComponent(name))
    }
    // The profile and its files as the docs say, first written with a careless 0644.
    var profile = try String(
      contentsOf: repo.appendingPathComponent("device-profiles/vehicle-sj-0142.yaml"), encoding: .utf8)
    profile = profile.replacingOccurrences(of: "/etc/chalkline/", with: etc.path + "/")
      .replacingOccurrences(of: "/var/lib/chalkline", with: root.appendingPathComponent("var/lib/chalkline").path)
    try profile.write(to: etc.appendingPathComponent("profile.yaml"), atomically: true, encoding: .utf8)
    // The city's two CDS responses and its holiday list, where the vehicle profile names them.
    for (shipped, name) in [
      ("san-jose-downtown.json", "zones.json"), ("san-jose-downtown-policies.json", "zones-policies.json"),
      ("san-jose-holidays.json", "holidays.json"),
    ] {
      try FileManager.default.copyItem(
        at: repo.appendingPathComponent("device-profiles/zones/\(shipped)"), to: etc.appendingPathComponent(name))
    }
    // Real certificates, key and hub keys: check-profile reads them as the agent does at start.
    let pki = try DevelopmentPKI.create(in: root.appendingPathComponent("pki"))
    let identity = try pki.issue(name: "sj-pe-0142")
    for (source, name) in [
      (identity.certificate, "tls/device.pem"), (identity.key, "tls/device.key"), (pki.caCertificate, "tls/hub-ca.pem"),
    ] {
      try FileManager.default.copyItem(
        at: URL(fileURLWithPath: source), to: etc.appendingPathComponent(name))
    }
    let hpke = Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
    let signing = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation.base64EncodedString()
    try Data("{\"hpke_public_key\": \"\(hpke)\", \"signing_public_key\": \"\(signing)\"}\n".utf8).write(
      to: etc.appendingPathComponent("upstream-keys.json"))
    for name in [
      "profile.yaml", "zones.json", "zones-policies.json", "holidays.json", "tls/device.pem", "tls/device.key",
      "tls/hub-ca.pem",
    ] {
      chmod(etc.appendingPathComponent(name).path, 0o644)
    }
    let sysusers = try runCommand(URL(fileURLWithPath: "/usr/bin/systemd-sysusers"), ["--root=\(root.path)"])
    #expect(sysusers.status == 0, "\(sysusers.standardError)")
    let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
    let agent = try #require(
      passwd.split(separator: "\n").first { $0.hasPrefix("chalkline:") }.map { $0.split(separator: ":") })
    let uid = try #require(UInt32(agent[2]))
    let gid = try #require(UInt32(agent[3]))
    // Package installation, then a boot: tmpfiles runs each time.
    for _ in 0..<2 {
      let tmpfiles = try runCommand(
        URL(fileURLWithPath: "/usr/bin/systemd-tmpfiles"), ["--root=\(root.path)", "--create"])
      #expect(tmpfiles.status == 0, "\(tmpfiles.standardError)")
    }
    let expected: [(String, mode_t, UInt32, UInt32)] = [
      ("", 0o750, 0, gid), ("profile.yaml", 0o640, 0, gid), ("tls", 0o750, 0, gid),
      ("tls/device.key", 0o600, uid, gid), ("tls/device.pem", 0o640, 0, gid), ("tls/hub-ca.pem", 0o640, 0, gid),
      ("upstream-keys.json", 0o640, 0, gid),
    ]
    for (name, mode, owner, group) in expected {
      var info = stat()
      #expect(stat(etc.appendingPathComponent(name).path, &info) == 0)
      #expect(
        (info.st_mode & 0o777, info.st_uid, info.st_gid) == (mode, owner, group),
        "\(name): mode \(String(info.st_mode & 0o777, radix: 8)) \(info.st_uid):\(info.st_gid)")
    }
    let check = try runCommand(
      TestPaths.product("chalkline"), ["check-profile", etc.appendingPathComponent("profile.yaml").path])
    #expect(check.status == 0, "\(check.standardOutput)\(check.standardError)")
    // A CA file its group can write would let that group redirect the uplink: refused.
    chmod(etc.appendingPathComponent("tls/hub-ca.pem").path, 0o664)
    let refused = try runCommand(
      TestPaths.product("chalkline"), ["check-profile", etc.appendingPathComponent("profile.yaml").path])
    #expect(refused.status != 0)
    #expect((refused.standardOutput + refused.standardError).contains("chmod go-w"), "\(refused.standardOutput)")
  }
}
