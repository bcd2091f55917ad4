// SPDX-License-Identifier: AGPL-3.0-or-later

/// A capture or dump failure (the Dump part reports with it too): a code to count and branch on, a sentence a technician can act
/// on, and the cause underneath.
public struct CaptureError: Error, Sendable, CustomStringConvertible {
  /// What kind of failure this is. Codes are stable: logs and counters use them.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    /// The stable name, e.g. `device-missing`.
    public let rawValue: String
    init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// The device node does not exist (camera not plugged in, wrong path).
    public static let deviceMissing = Code("device-missing")
    /// The device went away while open (ENODEV): unplugged.
    public static let deviceUnplugged = Code("device-unplugged")
    /// Another process holds the device.
    public static let deviceBusy = Code("device-busy")
    /// The node is not a streaming video capture device.
    public static let notACamera = Code("not-a-camera")
    /// No frame arrived within the stall timeout.
    public static let stalled = Code("stalled")
    /// The driver marked a buffer as corrupt (V4L2_BUF_FLAG_ERROR).
    public static let corruptBuffer = Code("corrupt-buffer")
    /// The device offers or accepts none of the wanted pixel formats.
    public static let formatRefused = Code("format-refused")
    /// An ioctl or another system call failed for another reason.
    public static let systemCall = Code("system-call")
    /// A frame dump's `dump.json` is missing or not a chalkline dump.
    public static let dumpInvalid = Code("dump-invalid")
    /// A `frames.jsonl` line is not valid JSON or lacks a key; the line is skipped.
    public static let badFrameLine = Code("bad-frame-line")
    /// The last `frames.jsonl` line is cut off: the replay ends there.
    public static let dumpTruncated = Code("dump-truncated")
    /// A frame file named in `frames.jsonl` does not exist; the frame is skipped.
    public static let frameFileMissing = Code("frame-file-missing")
    /// A frame file is cut short (JPEG without EOI marker, raw frame too small); the frame is skipped.
    public static let frameTruncated = Code("frame-truncated")
    /// A frame's time is earlier than the one before it; the frame is skipped.
    public static let timeWentBackwards = Code("time-went-backwards")
    /// Writing a dump failed (disk full, permissions).
    public static let writeFailed = Code("write-failed")
  }

  /// What kind of failure this is.
  public var code: Code
  /// What happened and what to do about it, naming the device or file.
  public var message: String
  /// The underlying error, if any (a `SystemCallError`, a decoding error).
  public var cause: (any Error & Sendable)?

  /// Creates an error.
  public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
    self.code = code
    self.message = message
    self.cause = cause
  }

  public var description: String {
    if let cause { return "\(message) (\(code); cause: \(cause))" }
    return "\(message) (\(code))"
  }
}
