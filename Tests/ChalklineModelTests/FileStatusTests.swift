// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

@Suite("FileStatus") struct FileStatusTests {
  private func scratch() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("file-status-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
  }

  @Test func aFileItsModeOwnerAndSize() throws {
    let directory = try scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("keys.json")
    try Data(repeating: 7, count: 1234).write(to: file)
    #expect(chmod(file.path, 0o640) == 0)
    let status = try #require(FileStatus(path: file.path))
    #expect(status.isRegularFile && !status.isDirectory)
    #expect(status.permissions == 0o640)
    #expect(status.octalPermissions == "640")
    #expect(status.owner == UInt32(geteuid()))
    #expect(status.size == 1234)
  }

  @Test func aDirectoryAndAMissingPath() throws {
    let directory = try scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    #expect(chmod(directory.path, 0o700) == 0)
    let status = try #require(FileStatus(path: directory.path))
    #expect(status.isDirectory && !status.isRegularFile)
    #expect(status.octalPermissions == "700")
    #expect(FileStatus(path: directory.appendingPathComponent("absent").path) == nil)
  }

  @Test func aSymbolicLinkIsFollowedOnlyWhenAsked() throws {
    let directory = try scratch()
    defer { try? FileManager.default.removeItem(at: directory) }
    let target = directory.appendingPathComponent("target")
    try Data("x".utf8).write(to: target)
    let link = directory.appendingPathComponent("link")
    try FileManager.default.createSymbolicLink(at: link, withDestinationURL: target)
    #expect(FileStatus(path: link.path)?.isRegularFile == true)
    let unfollowed = try #require(FileStatus(path: link.path, followingLinks: false))
    #expect(!unfollowed.isRegularFile && !unfollowed.isDirectory)
  }
}
