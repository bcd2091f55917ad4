// SPDX-License-Identifier: AGPL-3.0-or-later
import Capture
import ChalklineModel

#if canImport(Glibc)
  import Glibc
#endif

/// Small POSIX file helpers for dumps (Capture needs no FileHandle, so it links FoundationEssentials only).
package enum FileIO {
  /// Reads a whole file; throws the errno of the failing call.
  package static func read(_ path: String) throws(SystemCallError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw SystemCallError(call: "open \(path)", errno: errno) }
    defer { close(fd) }
    var result: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let n = try SystemCall.check("read \(path)") {
        chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
      }
      if n == 0 { return result }
      result.append(contentsOf: chunk[0..<n])
    }
  }

  /// Writes `bytes` to a new file (replacing one that exists).
  package static func write(_ bytes: [UInt8], to path: String) throws(SystemCallError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw SystemCallError(call: "open \(path)", errno: errno) }
    defer { close(fd) }
    try writeAll(fd, bytes, path)
  }

  /// Writes every byte to `fd`, retrying short writes and EINTR.
  package static func writeAll(_ fd: Int32, _ bytes: [UInt8], _ path: String) throws(SystemCallError) {
    if let failure = bytes.withUnsafeBytes({ SystemCall.writeAll(fd, $0) }) {
      throw SystemCallError(call: "write \(path)", errno: failure)
    }
  }

  /// Creates a directory (and its parents); fine if it exists.
  package static func makeDirectory(_ path: String) throws(SystemCallError) {
    var prefix = path.hasPrefix("/") ? "/" : ""
    for part in path.split(separator: "/") {
      prefix += part
      if mkdir(prefix, 0o755) != 0, errno != EEXIST {
        throw SystemCallError(call: "mkdir \(prefix)", errno: errno)
      }
      prefix += "/"
    }
  }

  /// Whether a path exists.
  package static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }
}

/// A file opened for appending lines, owned: close it explicitly, a leak asserts.
package final class AppendFile {
  package let path: String
  private var fd: Int32

  /// Opens (creating) `path` for appending.
  package init(_ path: String) throws(SystemCallError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw SystemCallError(call: "open \(path)", errno: errno) }
    self.path = path
    self.fd = fd
  }

  deinit { assert(fd < 0, "AppendFile \(path) leaked: call close() before dropping it") }

  /// Appends `line` and a newline in one write.
  package func append(line: String) throws(SystemCallError) {
    precondition(fd >= 0, "append to closed file \(path)")
    try FileIO.writeAll(fd, Array((line + "\n").utf8), path)
  }

  /// Flushes to disk and closes. Safe to call twice.
  package func close() {
    guard fd >= 0 else { return }
    fsync(fd)
    Glibc.close(fd)
    fd = -1
  }
}
