// SPDX-License-Identifier: AGPL-3.0-or-later
#if canImport(Glibc)
  import Glibc
#endif

/// What `stat(2)` (or `lstat(2)`) says of a path: its type, permission bits, owner and size —
/// the one reader of `struct stat` above the vault, so a part never depends on which C module
/// its compiler took that struct from.
public struct FileStatus: Sendable, Equatable {
  /// The permission bits (`st_mode & 0o7777`).
  public var permissions: UInt32
  public var owner: UInt32
  public var size: Int64
  public var isDirectory: Bool
  public var isRegularFile: Bool

  /// The status of `path`, following a symbolic link unless `followingLinks` is false; nil when
  /// the call fails (`errno` tells why).
  public init?(path: String, followingLinks: Bool = true) {
    var info = stat()
    guard (followingLinks ? stat(path, &info) : lstat(path, &info)) == 0 else { return nil }
    permissions = UInt32(info.st_mode) & 0o7777
    owner = UInt32(info.st_uid)
    size = Int64(info.st_size)
    isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
    isRegularFile = (info.st_mode & S_IFMT) == S_IFREG
  }

  /// The permission bits in octal, as `chmod` takes them (`"644"`).
  public var octalPermissions: String { String(permissions & 0o777, radix: 8) }
}
