// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import ChalklineTestKit
import Crypto
import Foundation
import Testing
import Wire

@testable import Vault

/// The vault on a real file system of a fixed size (a tmpfs the test mounts, fills and frees):
/// new chalk marks are refused first, at the reserve; candidates still go into the reserve; a
/// disk full outright refuses every write with `.diskFull` (counted) and loses nothing; and
/// every write works again once space returns.
@Suite(
  "the vault on a disk that fills", .serialized,
  .enabled(if: SizedFileSystem.available, "needs to mount a tmpfs (root or CAP_SYS_ADMIN)"))
struct DiskFullTests {
  static let reserve: Int64 = 2 << 20

  /// An overstay of `mark` with a large second picture, and that picture's evidence.
  func candidate(_ test: TestVault, first mark: ChalkMark) throws -> (Candidate, [SealedEvidence]) {
    let later = mark.first.time.addingTimeInterval(7300)
    let second = try test.seal(["7DSK000"], at: later, imageBytes: 60_000)
    return (mark.candidate(second: second, at: later), [second])
  }

  @Test("chalk marks are refused at the reserve, candidates use it, a full disk loses nothing, and space heals it")
  func fillsAndHeals() async throws {
    try await withSizedFileSystem(bytes: 16 << 20) { disk in
      let test = try TestVault(
        in: disk.mountPoint, configuration: VaultConfiguration(reservedFreeBytes: Self.reserve, spaceReserveBytes: 0))
      let vault = test.vault
      let w = try window("disk")
      var marks: [ChalkMark] = []
      for index in 0..<5 {
        let (mark, outcome) = try test.mark(["7DSK00\(index)"], window: w, imageBytes: 20_000)
        #expect(outcome == .stored)
        marks.append(mark)
      }
      #expect(try vault.status().refusingChalkMarks == false)

      // Down to half the reserve: no new chalk mark, but a candidate still goes in.
      try disk.fill(leaving: Self.reserve / 2)
      #expect(try test.mark(["7DSK100"], window: w, imageBytes: 20_000).1 == .refusedDiskFull)
      var status = try vault.status()
      #expect(status.refusingChalkMarks)
      #expect(status.chalkMarksRefused == 1)
      #expect(status.freeBytes.map { $0 < Self.reserve } == true)
      let (queued, queuedEvidence) = try candidate(test, first: marks[0])
      #expect(try vault.enqueueCandidate(queued, sealed: queuedEvidence) == .queued)

      // Full outright: every write is refused as `.diskFull`, counted, and nothing is lost.
      try disk.fill(leaving: 0)
      let (refused, refusedEvidence) = try candidate(test, first: marks[1])
      #expect(
        #expect(throws: VaultError.self) { try vault.enqueueCandidate(refused, sealed: refusedEvidence) }?.code
          == .diskFull)
      #expect(
        #expect(throws: VaultError.self) {
          try vault.audit(actor: "test", action: "test.write", purpose: "disk full")
        }?.code == .diskFull)
      // The new key file is refused first, or the re-encryption: either way every row still opens.
      #expect(
        #expect(throws: VaultError.self) {
          try vault.rotateStorageKey(actor: "test", purpose: "disk full")
        }?.code == .diskFull)
      let outcome: ChalkMarkOutcome
      do { outcome = try test.mark(["7DSK101"], window: w, imageBytes: 20_000).1 } catch {
        #expect((error as? VaultError)?.code == .diskFull, "\(error)")
        outcome = .refusedDiskFull
      }
      #expect(outcome == .refusedDiskFull)
      status = try vault.status()
      #expect(status.diskFullFailures >= 3)
      #expect(status.chalkMarks == 5)
      #expect(status.pendingCandidates == 1)
      #expect(try vault.pendingCandidates().first?.evidence.count == 2)
      for mark in marks { #expect(try vault.chalkMark(id: mark.id) != nil) }
      #expect(try vault.unreadableOrOrphanedRows() == [])
      #expect(try vault.integrityCheck() == ["ok"])

      // Space returns (the ballast goes, and the file system grows): everything works again.
      disk.releaseBallast()
      try disk.resize(to: 24 << 20)
      #expect(try vault.enqueueCandidate(refused, sealed: refusedEvidence) == .queued)
      #expect(try test.mark(["7DSK102"], window: w, imageBytes: 20_000).1 == .stored)
      #expect(try vault.rotateStorageKey(actor: "test", purpose: "space returned") > 0)
      status = try vault.status()
      #expect(!status.refusingChalkMarks)
      #expect(status.pendingCandidates == 2)
      #expect(try vault.unreadableOrOrphanedRows() == [])
      #expect(try vault.verifyAuditLog().intact)
      try vault.close()
      // And it opens again.
      let reopened = try Vault(stateDirectory: test.state, logger: testLogger)
      #expect(try reopened.pendingCandidateCount() == 2)
      try reopened.close()
    }
  }

  @Test("the space reserve is given up for a candidate on a full disk, spent once, and taken again when space returns")
  func spaceReserve() async throws {
    try await withSizedFileSystem(bytes: 32 << 20) { disk in
      let spare: Int64 = 8 << 20
      let test = try TestVault(
        in: disk.mountPoint,
        configuration: VaultConfiguration(reservedFreeBytes: Self.reserve, spaceReserveBytes: spare))
      let vault = test.vault
      let file = test.state.appendingPathComponent(SpaceReserve.fileName).path
      var status = try vault.status()
      #expect(status.spaceReserveBytes == spare)
      #expect(status.spaceReserveHeldBytes == spare)
      #expect(FileStatus(path: file, followingLinks: false).map { $0.permissions & 0o777 } == 0o600)
      let w = try window("reserve")
      var marks: [ChalkMark] = []
      for index in 0..<3 {
        let (mark, outcome) = try test.mark(["7RSV00\(index)"], window: w, imageBytes: 20_000)
        #expect(outcome == .stored)
        marks.append(mark)
      }

      // Something else fills the disk outright: the candidate still goes in, through the reserve.
      try disk.fill(leaving: 0)
      let (first, firstEvidence) = try candidate(test, first: marks[0])
      #expect(try vault.enqueueCandidate(first, sealed: firstEvidence) == .queued)
      status = try vault.status()
      #expect(status.spaceReserveReleases == 1)
      #expect(status.spaceReserveHeldBytes == 0)
      #expect(status.pendingCandidates == 1)
      #expect(status.diskFullFailures >= 1)
      // A deletion fits in what the reserve freed too.
      try vault.deleteChalkMarks(ids: [marks[2].id])
      #expect(try vault.chalkMark(id: marks[2].id) == nil)

      // Spent: the next candidate on a disk full again is refused as before, and nothing is lost.
      try disk.fill(leaving: 0)
      let (second, secondEvidence) = try candidate(test, first: marks[1])
      #expect(
        #expect(throws: VaultError.self) { try vault.enqueueCandidate(second, sealed: secondEvidence) }?.code
          == .diskFull)
      #expect(try vault.status().spaceReserveReleases == 1)
      // A retention pass while the disk is still full does not take the reserve back (the pass
      // itself may be refused for want of space).
      do { try vault.applyRetention() } catch let error as VaultError { #expect(error.code == .diskFull) }
      #expect(try vault.status().spaceReserveHeldBytes == 0)

      // Space returns: the next retention pass takes the reserve again, and the refused write goes in.
      disk.releaseBallast()
      try vault.applyRetention()
      status = try vault.status()
      #expect(status.spaceReserveHeldBytes == spare)
      #expect(try vault.enqueueCandidate(second, sealed: secondEvidence) == .queued)
      #expect(try vault.pendingCandidates().allSatisfy { $0.evidence.count == 2 })
      #expect(try vault.unreadableOrOrphanedRows() == [])
      #expect(try vault.integrityCheck() == ["ok"])
      try vault.close()

      // An opener given no reserve size (the key commands) leaves the reserve as it finds it.
      let keys = try Vault(stateDirectory: test.state, logger: testLogger)
      #expect(FileStatus(path: file, followingLinks: false)?.size == spare)
      #expect(try keys.status().spaceReserveHeldBytes == spare)
      try keys.close()
      #expect(FileStatus(path: file, followingLinks: false)?.size == spare)

      // A vault configured without a reserve gives back one an earlier configuration left.
      let reopened = try Vault(
        stateDirectory: test.state, configuration: VaultConfiguration(spaceReserveBytes: 0), logger: testLogger)
      #expect(FileStatus(path: file, followingLinks: false) == nil)
      #expect(try reopened.pendingCandidateCount() == 2)
      try reopened.close()
    }
  }

  @Test("key files on a full disk: the write is refused as disk-full and the keyring stays as it was")
  func keyFilesOnAFullDisk() async throws {
    try await withSizedFileSystem(bytes: 8 << 20) { disk in
      let test = try TestVault(
        in: disk.mountPoint, configuration: VaultConfiguration(reservedFreeBytes: Self.reserve, spaceReserveBytes: 0))
      let before = test.vault.keyring
      try disk.fill(leaving: 0)
      let upstream = Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation
      let signing = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation
      #expect(
        #expect(throws: VaultError.self) {
          try test.vault.importUpstreamKeys(
            hpkePublicKey: upstream, signingPublicKey: signing, actor: "test", purpose: "disk full")
        }?.code == .diskFull)
      #expect(throws: VaultError.self) { try test.vault.rotateDeviceKey(actor: "test", purpose: "disk full") }
      // No temporary file is left behind, and the keys on disk are the ones in use.
      let names = try FileManager.default.contentsOfDirectory(atPath: before.directory.path)
      #expect(!names.contains { $0.hasSuffix(".tmp") }, "\(names)")
      let loaded = try Keyring.load(from: test.state)
      #expect(loaded.storageKeyIDs == before.storageKeyIDs)
      #expect(loaded.upstreamHPKEKey?.rawRepresentation == before.upstreamHPKEKey?.rawRepresentation)
      disk.releaseBallast()
      try test.vault.importUpstreamKeys(
        hpkePublicKey: upstream, signingPublicKey: signing, actor: "test", purpose: "space returned")
      #expect(try Keyring.load(from: test.state).upstreamHPKEKey?.rawRepresentation == upstream)
      try test.vault.close()
    }
  }
}
