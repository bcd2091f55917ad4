// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
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
      var profile = try DeviceProfile.load(
        from: TestPaths.packageRoot.appendingPathComponent("device-profiles/replay-default.yaml").path)
      profile.vault.stateDirectory = directory.appendingPathComponent("state").path
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
}
