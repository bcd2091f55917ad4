// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A real file system of a fixed size that a test can fill, free and grow while the agent writes
/// to it: a tmpfs mounted (`mount(2)`, so root or `CAP_SYS_ADMIN` is needed) on a fresh directory.
/// A tmpfs refuses writes past its size with `ENOSPC` exactly as a full disk does, and SQLite
/// answers `SQLITE_FULL`; unlike a loop device it needs no image file, no `mkfs` and no reserved
/// blocks that root could use anyway. Where mounting is refused (an unprivileged container),
/// ``available`` is false and the tests that need one say so.
public final class SizedFileSystem: @unchecked Sendable {
  // @unchecked: the only mutable state, `ballast`, is used from the one test that owns the object.
  /// Where it is mounted (mode 0700).
  public let mountPoint: URL
  private var ballast: [URL] = []

  /// Whether this process may mount a tmpfs here.
  public static let available: Bool = {
    guard let probe = try? SizedFileSystem(bytes: 1 << 20) else { return false }
    probe.unmount()
    return true
  }()

  /// Mounts a tmpfs of `bytes` on a new directory under the temporary directory.
  public init(bytes: Int) throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sized-fs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    guard mount("tmpfs", directory.path, "tmpfs", 0, "size=\(bytes),mode=0700") == 0 else {
      let code = errno
      rmdir(directory.path)
      throw SizedFileSystemError(
        "mount -t tmpfs -o size=\(bytes) \(directory.path): \(String(cString: strerror(code)))")
    }
    mountPoint = directory
  }

  /// Bytes free now.
  public var freeBytes: Int64 {
    var info = statvfs()
    guard statvfs(mountPoint.path, &info) == 0 else { return 0 }
    return Int64(info.f_bavail) * Int64(info.f_frsize)
  }

  /// Writes ballast files until at most `bytes` are free (0: until the file system refuses with
  /// `ENOSPC`). Returns the bytes left free.
  @discardableResult
  public func fill(leaving bytes: Int64) throws -> Int64 {
    let file = mountPoint.appendingPathComponent("ballast-\(ballast.count)")
    let fd = open(file.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      // Not even a new inode fits: the file system is as full as it gets.
      if errno == ENOSPC { return freeBytes }
      throw SizedFileSystemError("creating \(file.path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    ballast.append(file)
    let chunk = [UInt8](repeating: 0xA5, count: 1 << 20)
    while freeBytes > bytes {
      let count = Int(min(Int64(chunk.count), max(4096, freeBytes - bytes)))
      let written = SystemCall.retryingInterrupts { chunk.withUnsafeBytes { write(fd, $0.baseAddress, count) } }
      if written < 0 {
        if errno == ENOSPC { break }
        throw SizedFileSystemError("filling \(file.path): \(String(cString: strerror(errno)))")
      }
      if written == 0 { break }
    }
    return freeBytes
  }

  /// Deletes every ballast file: space returns, as when a technician frees the disk.
  public func releaseBallast() {
    for file in ballast { unlink(file.path) }
    ballast.removeAll()
  }

  /// Grows (or shrinks) the file system to `bytes` while mounted.
  public func resize(to bytes: Int) throws {
    guard mount("tmpfs", mountPoint.path, "tmpfs", UInt(MS_REMOUNT), "size=\(bytes)") == 0 else {
      throw SizedFileSystemError(
        "remounting \(mountPoint.path) with size=\(bytes): \(String(cString: strerror(errno)))")
    }
  }

  /// Unmounts it (lazily, should a file still be open) and removes the mount point.
  public func unmount() {
    releaseBallast()
    umount2(mountPoint.path, Int32(MNT_DETACH))
    rmdir(mountPoint.path)
  }
}

/// Mounting, filling or resizing the test file system failed.
public struct SizedFileSystemError: Error, CustomStringConvertible {
  public var description: String
  init(_ description: String) { self.description = description }
}

/// Runs `body` with a mounted file system of `bytes`, unmounted afterwards whatever happens.
public func withSizedFileSystem<T>(bytes: Int, _ body: (SizedFileSystem) async throws -> T) async throws -> T {
  let fileSystem = try SizedFileSystem(bytes: bytes)
  defer { fileSystem.unmount() }
  return try await body(fileSystem)
}
