// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// A capture or dump failure (the Dump part reports with it too): a code to count and branch on, a sentence a technician can act on, and the cause underneath.
public typealias CaptureError = CodedError<CaptureDomain>

/// The domain of ``CaptureError``.
public enum CaptureDomain: ErrorDomain {}

extension CodedError.Code where Domain == CaptureDomain {
  /// The device node does not exist (camera not plugged in, wrong path).
  public static let deviceMissing = Self("device-missing")
  /// The device went away while open (ENODEV): unplugged.
  public static let deviceUnplugged = Self("device-unplugged")
  /// Another process holds the device.
  public static let deviceBusy = Self("device-busy")
  /// The node is not a streaming video capture device.
  public static let notACamera = Self("not-a-camera")
  /// No frame arrived within the stall timeout.
  public static let stalled = Self("stalled")
  /// The driver marked a buffer as corrupt (V4L2_BUF_FLAG_ERROR).
  public static let corruptBuffer = Self("corrupt-buffer")
  /// The device offers or accepts none of the wanted pixel formats.
  public static let formatRefused = Self("format-refused")
  /// An ioctl or another system call failed for another reason.
  public static let systemCall = Self("system-call")
  /// A frame dump's `dump.json` is missing or not a chalkline dump.
  public static let dumpInvalid = Self("dump-invalid")
  /// A `frames.jsonl` line is not valid JSON or lacks a key; the line is skipped.
  public static let badFrameLine = Self("bad-frame-line")
  /// The last `frames.jsonl` line is cut off: the replay ends there.
  public static let dumpTruncated = Self("dump-truncated")
  /// A frame file named in `frames.jsonl` does not exist; the frame is skipped.
  public static let frameFileMissing = Self("frame-file-missing")
  /// A frame file is cut short (JPEG without EOI marker, raw frame too small); the frame is skipped.
  public static let frameTruncated = Self("frame-truncated")
  /// A frame's time is earlier than the one before it; the frame is skipped.
  public static let timeWentBackwards = Self("time-went-backwards")
  /// Writing a dump failed (disk full, permissions).
  public static let writeFailed = Self("write-failed")
}
