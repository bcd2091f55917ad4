// SPDX-License-Identifier: AGPL-3.0-or-later

#if canImport(Glibc)
  import Glibc
#endif

/// A failed system call: which call, on what, and the `errno` it returned.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The call, e.g. `VIDIOC_S_FMT` or `open`.
  public var call: String
  /// The errno value.
  public var errno: Int32

  /// Creates an error.
  public init(call: String, errno: Int32) {
    self.call = call
    self.errno = errno
  }

  public var description: String {
    "\(call): \(String(cString: strerror(errno))) (errno \(errno))"
  }
}
