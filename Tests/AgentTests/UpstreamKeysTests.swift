// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineModel
import ChalklineTestKit
import Crypto
import Foundation
import Logging
import Testing
import Vault

/// Hub keys change only by signature or an explicit import, not by whatever file the profile names
/// at the next start; and that file is refused when others can write it.
@Suite("upstream keys from the profile")
struct UpstreamKeysTests {
  let logger = Logger(label: "test") { JournalLogHandler(label: $0, level: .critical, journal: false) }

  func keys() -> (hpke: Data, signing: Data) {
    (
      Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation,
      Curve25519.Signing.PrivateKey().publicKey.rawRepresentation
    )
  }

  @Test("the profile's keys provision an empty vault once; later starts keep the vault's keys")
  func provisionedOnce() async throws {
    try await withTemporaryDirectory(prefix: "cl-upkeys") { directory in
      let profile = try replayProfile(state: directory.appendingPathComponent("state"))
      let first = keys()
      let second = keys()
      // Each start is a new vault object; the lock goes with it.
      func start(_ keys: (hpke: Data, signing: Data), replace: Bool = false) throws -> (Data?, Int) {
        let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: keys, replace: replace, logger: logger)
        defer { try? vault.close() }
        let imports = try vault.auditEntries().filter { $0.action == "keys.import-upstream" }.count
        return (vault.keyring.upstreamHPKEKey?.rawRepresentation, imports)
      }
      #expect(try start(first) == (first.hpke, 1))
      #expect(try start(second) == (first.hpke, 1))
      #expect(try start(second, replace: true) == (second.hpke, 2))
    }
  }

  @Test("a keys file its group or others can write is refused, naming the file and the fix", arguments: [0o664, 0o646])
  func writableFileIsRefused(mode: Int) async throws {
    try await withTemporaryDirectory(prefix: "cl-upkeys") { directory in
      let file = directory.appendingPathComponent("upstream-keys.json")
      let (hpke, signing) = keys()
      try Data(
        "{\"hpke_public_key\": \"\(hpke.base64EncodedString())\", \"signing_public_key\": \"\(signing.base64EncodedString())\"}"
          .utf8
      ).write(to: file)
      chmod(file.path, 0o644)
      #expect(try UpstreamKeysFile.read(file.path).hpke == hpke)
      chmod(file.path, mode_t(mode))
      #expect {
        try UpstreamKeysFile.read(file.path)
      } throws: { error in
        "\(error)".contains(file.path) && "\(error)".contains("chmod go-w")
      }
    }
  }

  @Test("a vault that got a throwaway key takes the profile's keys when they come; the agent never seals to one")
  func throwawayKeyIsReplaced() async throws {
    try await withTemporaryDirectory(prefix: "cl-upkeys") { directory in
      let profile = try replayProfile(state: directory.appendingPathComponent("state"))
      // The agent without an uplink and without keys in the vault does not start.
      #expect {
        try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, withoutKeys: .refuse, logger: logger)
      } throws: { error in
        "\(error)".contains("keys import-upstream") && "\(error)".contains(profile.vault.stateDirectory)
      }
      // A replay (or an agent of an earlier release) sealed to a throwaway key: refused too on
      // the road, and replaced by the first real keys.
      let throwaway = try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, logger: logger)
      let throwawayKey = throwaway.keyring.upstreamHPKEKey?.rawRepresentation
      try throwaway.close()
      #expect(throwawayKey != nil)
      #expect(throws: UpstreamKeysFile.Problem.self) {
        try ReplayRunner.openVault(profile: profile, upstreamKeys: nil, withoutKeys: .refuse, logger: logger)
      }
      let real = keys()
      let vault = try ReplayRunner.openVault(profile: profile, upstreamKeys: real, withoutKeys: .refuse, logger: logger)
      #expect(vault.keyring.upstreamHPKEKey?.rawRepresentation == real.hpke)
      #expect(vault.keyring.upstreamSigningKey?.rawRepresentation == real.signing)
      try vault.close()
      // Once real, they change only by signature: a differing file is not obeyed.
      let later = try ReplayRunner.openVault(
        profile: profile, upstreamKeys: keys(), withoutKeys: .refuse, logger: logger)
      #expect(later.keyring.upstreamHPKEKey?.rawRepresentation == real.hpke)
      try later.close()
      // And with them in the vault the agent starts without an uplink.
      let offline = try ReplayRunner.openVault(
        profile: profile, upstreamKeys: nil, withoutKeys: .refuse, logger: logger)
      #expect(offline.keyring.upstreamHPKEKey?.rawRepresentation == real.hpke)
      try offline.close()
    }
  }

  @Test("check-profile warns that run will refuse a profile without an uplink while the vault holds no hub key")
  func checkProfileSaysTheKeysAreMissing() async throws {
    try await withTemporaryDirectory(prefix: "cl-upkeys") { directory in
      let state = directory.appendingPathComponent("state")
      let path = directory.appendingPathComponent("profile.yaml")
      try replayProfileText(state: state).write(to: path, atomically: true, encoding: .utf8)
      // The keys are the state directory's, imported after the profile is written: the profile
      // is valid, and the check says what `run` will refuse.
      let inputs = try await ShiftInputs.load(from: path.path)
      #expect(inputs.warnings.map(\.keyPath) == ["uplink.upstream_keys"])
      #expect(inputs.warnings.first?.problem.contains("keys import-upstream") == true)
      let checked = try runCommand(TestPaths.product("chalkline"), ["check-profile", path.path])
      #expect(checked.status == 0, "\(checked.standardError)")
      #expect(checked.standardError.contains("warning: ") && checked.standardError.contains("keys import-upstream"))
      let json = try runCommand(TestPaths.product("chalkline"), ["check-profile", "--json", path.path])
      #expect(json.standardOutput.contains("\"warnings\" : ["), "\(json.standardOutput)")
      // What run does with it: refuses, naming the command (the vault it made stays, keyless).
      #expect(throws: UpstreamKeysFile.Problem.self) {
        try ReplayRunner.openVault(profile: inputs.profile, upstreamKeys: nil, withoutKeys: .refuse, logger: logger)
      }
      let vault = try Vault(stateDirectory: state, logger: logger)
      let real = keys()
      try vault.importUpstreamKeys(
        hpkePublicKey: real.hpke, signingPublicKey: real.signing, actor: "test", purpose: "test")
      try vault.close()
      #expect(try await ShiftInputs.load(from: path.path).warnings.isEmpty)
    }
  }
}
