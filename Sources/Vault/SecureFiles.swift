// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// File operations for the state directory: private permissions, durable atomic writes and
/// destruction. Every system call goes through `call(_:_:)`, which retries `EINTR`.
package enum SecureFiles {
  /// Runs a system call, retrying on `EINTR`, and turns a failure into a `VaultError` that says
  /// what was being done.
  @discardableResult
  package static func call(_ what: @autoclosure () -> String, _ body: () -> Int32) throws -> Int32 {
    let result = SystemCall.retryingInterrupts(body)
    if result >= 0 { return result }
    let code = errno
    if code == ENOSPC || code == EDQUOT {
      throw VaultError(
        .diskFull, "\(what()) failed: \(String(cString: strerror(code))) (errno \(code)); free space and retry.")
    }
    throw VaultError(.fileSystem, "\(what()) failed: \(String(cString: strerror(code))) (errno \(code)).")
  }

  /// Creates `path` as a private directory (0700) if missing, then checks it.
  static func ensureDirectory(_ path: String) throws {
    if mkdir(path, 0o700) != 0 && errno != EEXIST {
      let code = errno
      throw VaultError(
        .fileSystem,
        "Cannot create directory \(path): \(String(cString: strerror(code))). "
          + "Check that its parent exists and is writable by this user.")
    }
    try checkDirectory(path)
  }

  /// Checks that `path` is a directory owned by this user with no group or other permissions.
  static func checkDirectory(_ path: String) throws {
    guard let status = FileStatus(path: path, followingLinks: false) else {
      throw VaultError(.keyringMissing, "Directory \(path) does not exist; run `chalkline keys init`.")
    }
    guard status.isDirectory else {
      throw VaultError(.unsafePermissions, "\(path) is not a directory (a symbolic link is refused).")
    }
    try checkOwnerAndMode(path, status, expected: "0700", fix: "chmod 700")
  }

  /// Checks that `path` is a regular file owned by this user with no group or other permissions.
  static func checkFile(_ path: String) throws {
    guard let status = FileStatus(path: path, followingLinks: false) else {
      throw VaultError(.badKeyFile, "Key file \(path) is missing; run `chalkline keys init` or restore it.")
    }
    guard status.isRegularFile else {
      throw VaultError(.unsafePermissions, "\(path) is not a regular file (a symbolic link is refused).")
    }
    try checkOwnerAndMode(path, status, expected: "0600", fix: "chmod 600")
  }

  private static func checkOwnerAndMode(_ path: String, _ status: FileStatus, expected: String, fix: String) throws {
    guard status.owner == geteuid() else {
      throw VaultError(
        .unsafePermissions,
        "\(path) is owned by uid \(status.owner), not by this user (uid \(geteuid())); chown it to the agent's user.")
    }
    guard status.permissions & 0o077 == 0 else {
      let mode = status.octalPermissions
      throw VaultError(
        .unsafePermissions, "\(path) has mode \(mode); it must be \(expected) (run `\(fix) \(path)`).")
    }
  }

  /// Creates an empty private file (0600) if it does not exist, so that SQLite's WAL and
  /// shared-memory files, which copy the database file's mode, are private too.
  static func ensurePrivateFile(_ path: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else {
      let code = errno
      throw VaultError(.fileSystem, "Cannot create \(path): \(String(cString: strerror(code))).")
    }
    close(fd)
    try checkFile(path)
  }

  /// Writes `data` to `path` durably and atomically: a private temporary file, `fsync`,
  /// `rename`, then `fsync` of the directory. With `exclusive`, refuses to replace a file.
  static func write(_ data: Data, to path: String, exclusive: Bool = false) throws {
    if exclusive && access(path, F_OK) == 0 {
      throw VaultError(.keyringExists, "\(path) already exists; refusing to overwrite a key.")
    }
    let temporary = path + ".tmp"
    unlink(temporary)
    let fd = try call("Creating \(temporary)") { open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600) }
    do {
      try data.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
          let written = try call("Writing \(temporary)") {
            Int32(truncatingIfNeeded: Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset))
          }
          offset += Int(written)
        }
      }
      try call("Flushing \(temporary)") { fsync(fd) }
      try call("Closing \(temporary)") { close(fd) }
    } catch {
      close(fd)
      unlink(temporary)
      throw error
    }
    try call("Renaming \(temporary) to \(path)") { rename(temporary, path) }
    try syncDirectory(of: path)
  }

  /// Reads a whole private file after checking its permissions.
  static func read(_ path: String) throws -> Data {
    try checkFile(path)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw VaultError(.badKeyFile, "Cannot read \(path); check the file and its permissions.")
    }
    return data
  }

  /// Destroys a file: renames it to `NAME.shred` (atomic, so a crash never leaves a half-zeroed
  /// file under its real name), overwrites its bytes with zeros, flushes, unlinks it and flushes
  /// the directory. A missing file is not an error; a leftover `.shred` is finished.
  static func destroy(_ path: String) throws {
    let shred = path + ".shred"
    if FileStatus(path: path, followingLinks: false) != nil {
      try call("Renaming \(path) for destruction") { rename(path, shred) }
      try syncDirectory(of: path)
    }
    guard let status = FileStatus(path: shred, followingLinks: false) else { return }
    // Overwriting in place needs no new blocks, so it works on a full disk too. A failure is
    // thrown with the `.shred` file left in place: the next open (`finishDestruction`) tries again.
    let fd = try call("Opening \(shred)") { open(shred, O_WRONLY | O_CLOEXEC) }
    do {
      let zeros = [UInt8](repeating: 0, count: Int(status.size))
      try zeros.withUnsafeBytes { buffer in
        var offset = 0
        while offset < buffer.count {
          offset += Int(
            try call("Zeroing \(shred)") {
              Int32(truncatingIfNeeded: Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset))
            })
        }
      }
      try call("Flushing \(shred)") { fsync(fd) }
    } catch {
      close(fd)
      throw error
    }
    close(fd)
    try call("Removing \(shred)") { unlink(shred) }
    try syncDirectory(of: shred)
  }

  /// Finishes destroying files a crash left as `NAME.shred` in `directory`.
  static func finishDestruction(in directory: String) throws {
    for name in try list(directory) where name.hasSuffix(".shred") {
      try destroy(directory + "/" + String(name.dropLast(".shred".count)))
    }
  }

  /// Flushes a directory entry change (create, rename, unlink) to disk.
  static func syncDirectory(of path: String) throws {
    let directory = (path as NSString).deletingLastPathComponent
    let fd = try call("Opening directory \(directory)") { open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
    defer { close(fd) }
    try call("Flushing directory \(directory)") { fsync(fd) }
  }

  /// Names of the entries in a directory (not recursive).
  static func list(_ directory: String) throws -> [String] {
    do {
      return try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
      throw VaultError(.fileSystem, "Cannot list \(directory).", cause: error)
    }
  }
}
