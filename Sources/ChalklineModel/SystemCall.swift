// SPDX-License-Identifier: AGPL-3.0-or-later
#if canImport(Glibc)
  import Glibc
#endif

/// The one place a system call is retried when a signal interrupted it (`EINTR`) and a failure
/// becomes a ``SystemCallError``.
public enum SystemCall {
  /// Runs `body` again for as long as it fails with `EINTR`; returns what it last returned
  /// (negative with `errno` set on any other failure).
  @discardableResult
  public static func retryingInterrupts<Result: BinaryInteger>(_ body: () -> Result) -> Result {
    while true {
      let result = body()
      if result >= 0 || errno != EINTR { return result }
    }
  }

  /// Runs `body` (retrying `EINTR`) and throws the call's `errno` as a ``SystemCallError`` naming
  /// `call` when it fails.
  @discardableResult
  public static func check<Result: BinaryInteger>(
    _ call: @autoclosure () -> String, _ body: () -> Result
  ) throws(SystemCallError) -> Result {
    let result = retryingInterrupts(body)
    if result < 0 { throw SystemCallError(call: call(), errno: errno) }
    return result
  }

  /// Writes every byte of `buffer` to `fd` with `write(2)`, retrying short writes and `EINTR`;
  /// returns the `errno` of a failure, or nil when all was written.
  public static func writeAll(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int32? {
    var offset = 0
    while offset < buffer.count {
      let n = retryingInterrupts { write(fd, buffer.baseAddress! + offset, buffer.count - offset) }
      if n < 0 { return errno }
      offset += n
    }
    return nil
  }
}
