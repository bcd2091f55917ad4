// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Testing
import Wire

@testable import Vault

@Suite struct KeyringTests {
  @Test func initCreatesPrivateDirectoryAndFiles() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      #expect(mode(test.state.path) == 0o700)
      let keys = Keyring.keysDirectory(in: test.state)
      #expect(mode(keys.path) == 0o700)
      let names = try FileManager.default.contentsOfDirectory(atPath: keys.path).sorted()
      #expect(names == ["device.key", "storage-00000001.key", "upstream-hpke.pub", "upstream-signing.pub"])
      for name in names { #expect(mode(keys.appendingPathComponent(name).path) == 0o600, "\(name)") }
      for name in try FileManager.default.contentsOfDirectory(atPath: test.state.path) where name != "keys" {
        #expect(mode(test.state.appendingPathComponent(name).path) == 0o600, "\(name)")
      }
    }
  }

  @Test func initRefusesAnExistingKeyring() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let error = #expect(throws: VaultError.self) {
        _ = try Keyring.create(in: test.state)
      }
      #expect(error?.code == .keyringExists)
    }
  }

  @Test(arguments: [("state", 0o755), ("keys", 0o750), ("device.key", 0o644), ("storage-00000001.key", 0o640)])
  func openRefusesUnsafePermissions(entry: String, badMode: Int) throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      try test.vault.close()
      let keys = Keyring.keysDirectory(in: test.state)
      let path =
        switch entry {
        case "state": test.state.path
        case "keys": keys.path
        default: keys.appendingPathComponent(entry).path
        }
      chmod(path, mode_t(badMode))
      let error = #expect(throws: VaultError.self) {
        _ = try Vault(stateDirectory: test.state, logger: testLogger)
      }
      #expect(error?.code == .unsafePermissions)
      #expect(error?.message.contains(path) == true)
    }
  }

  @Test func openRefusesAPublicDatabaseFile() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      try test.vault.close()
      chmod(test.state.appendingPathComponent(Vault.databaseName).path, 0o644)
      #expect(throws: VaultError.self) { _ = try Vault(stateDirectory: test.state, logger: testLogger) }
    }
  }

  @Test func missingKeyringSaysToRunInit() throws {
    try withTemporaryDirectory { directory in
      let error = #expect(throws: VaultError.self) {
        _ = try Vault(stateDirectory: directory.appendingPathComponent("nothing"), logger: testLogger)
      }
      #expect(error?.code == .keyringMissing)
      #expect(error?.message.contains("keys init") == true)
    }
  }

  @Test func aDamagedKeyFileIsRefused() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let path = Keyring.keysDirectory(in: test.state).appendingPathComponent("device.key").path
      try Data("chalkline-key 1 storage-chachapoly AAAA\n".utf8).write(to: URL(fileURLWithPath: path))
      let error = #expect(throws: VaultError.self) { _ = try Keyring.load(from: test.state) }
      #expect(error?.code == .badKeyFile)
    }
  }

  @Test func sealingWithoutAnUpstreamKeySaysToImportIt() throws {
    try withTemporaryDirectory { directory in
      let vault = try Vault.initialize(
        stateDirectory: directory.appendingPathComponent("s"), actor: "t", purpose: "t", logger: testLogger)
      let error = #expect(throws: VaultError.self) { _ = try EvidenceSealer(keyring: vault.keyring) }
      #expect(error?.code == .upstreamKeyMissing)
      #expect(error?.message.contains("import-upstream") == true)
    }
  }

  @Test func importRefusesMalformedKeys() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let error = #expect(throws: VaultError.self) {
        try test.vault.importUpstreamKeys(
          hpkePublicKey: Data(count: 5), signingPublicKey: Data(count: 32), actor: "t", purpose: "t")
      }
      #expect(error?.code == .badKey)
    }
  }

  @Test func secondExclusiveOpenerIsRefused() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      #expect(throws: VaultError.self) { _ = try Vault(stateDirectory: test.state, logger: testLogger) }
      let reader = try Vault(stateDirectory: test.state, exclusive: false, logger: testLogger)
      #expect(try reader.verifyAuditLog().intact)
    }
  }

  @Test func deviceRotationKeepsQueuedSignaturesAndRetiresTheOldKey() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let old = test.vault.keyring.deviceKey.publicKey
      let w = try window("rot")
      let (mark, _) = try test.mark(["7ABC123"], window: w)
      let second = try test.seal(["7ABC123"])
      try test.vault.enqueueCandidate(mark.candidate(second: second), sealed: [second])
      try test.vault.rotateDeviceKey(actor: "t", purpose: "t")
      let new = test.vault.keyring.deviceKey.publicKey
      #expect(new.rawRepresentation != old.rawRepresentation)
      #expect(try Keyring.load(from: test.state).deviceKey.publicKey.rawRepresentation == new.rawRepresentation)
      let queued = try #require(try test.vault.pendingCandidates().first)
      #expect(queued.verify(devicePublicKey: old))
      let retired = Keyring.keysDirectory(in: test.state).appendingPathComponent("device-retired-1.pub")
      #expect(FileManager.default.fileExists(atPath: retired.path))
    }
  }

  @Test func storageRotationReencryptsRowsAndDestroysTheOldKey() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      let w = try window("storage")
      let (mark, _) = try test.mark(["5XYZ987"], window: w)
      try test.vault.enqueueCandidate(mark.candidate(rule: .permitRequired([UserClass("permit R")])))
      let rows = try test.vault.rotateStorageKey(actor: "t", purpose: "t")
      // The mark, the candidate, the evidence's sealed header and the window's key row.
      #expect(rows == 4)
      #expect(test.vault.keyring.storageKeyIDs == [2])
      let keys = Keyring.keysDirectory(in: test.state)
      #expect(!FileManager.default.fileExists(atPath: keys.appendingPathComponent("storage-00000001.key").path))
      try test.vault.close()
      let reopened = try Vault(stateDirectory: test.state, exclusive: false, logger: testLogger)
      #expect(try reopened.chalkMark(id: mark.id) == mark)
      #expect(try reopened.pendingCandidates().count == 1)
      #expect(try reopened.plateHasher(for: w).hash("5XYZ987") == mark.plateHashes[0])
      let actions = try reopened.auditEntries().map(\.action)
      #expect(actions == ["keys.init", "keys.import-upstream", "keys.rotate.storage"])
    }
  }

  @Test func fingerprintsAreShortAndStable() {
    let raw = Data(repeating: 1, count: 32)
    #expect(keyFingerprint(raw) == keyFingerprint(raw))
    #expect(keyFingerprint(raw).count == 39)
  }

  @Test func aDestructionInterruptedByACrashIsFinishedAtLoad() throws {
    try withTemporaryDirectory { directory in
      let test = try TestVault(in: directory)
      try test.vault.close()
      let keys = Keyring.keysDirectory(in: test.state)
      // A crash after the rename, before the zeroing and unlink, leaves NAME.shred behind.
      let leftover = keys.appendingPathComponent("storage-00000000.key.shred")
      try KeyFile.write(.storage, Data(count: 32), to: leftover.path)
      _ = try Keyring.load(from: test.state)
      #expect(!FileManager.default.fileExists(atPath: leftover.path))
      #expect(try FileManager.default.contentsOfDirectory(atPath: keys.path).allSatisfy { !$0.hasSuffix(".shred") })
    }
  }
}
