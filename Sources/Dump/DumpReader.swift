// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineModel
import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Reads a frame dump frame by frame, synchronously, checking each one.
///
/// Damage is reported, never fatal to what came before it: a bad `frames.jsonl` line, a missing
/// frame file, a truncated frame (JPEG without EOI marker, raw frame of the wrong size) and a
/// time earlier than the previous frame's are skipped with a `.fault` naming the line; a cut-off
/// last line or a missing `frames.jsonl` ends the replay there with a final `.fault`.
public struct DumpReader: Sendable {
  /// The dump directory.
  public let directory: String
  /// The manifest, when `dump.json` could be read.
  public let manifest: DumpManifest?
  private var lines: [Substring]
  private var lineIndex = 0
  private var lastLineIsPartial = false
  private var lastTime: Date?
  private var pendingEnd: CaptureError?
  private var finished = false

  /// Opens the dump: reads `dump.json` and `frames.jsonl` (frame files are read one by one later).
  public init(directory: String) {
    self.directory = directory
    var manifest: DumpManifest?
    var lines: [Substring] = []
    var end: CaptureError?
    do throws(CaptureError) {
      manifest = try Self.readManifest(directory: directory)
      let path = directory + "/frames.jsonl"
      let bytes: [UInt8]
      do { bytes = try FileIO.read(path) } catch {
        throw CaptureError(
          .dumpInvalid, "Dump \(directory) has no readable frames.jsonl: it holds no frames", cause: error)
      }
      let text = String(decoding: bytes, as: UTF8.self)
      lines = text.split(separator: "\n", omittingEmptySubsequences: false)
      if lines.last == "" { lines.removeLast() } else if !lines.isEmpty { lastLineIsPartial = true }
    } catch {
      end = error
    }
    self.manifest = manifest
    self.lines = lines
    self.pendingEnd = end
  }

  /// Reads and checks `dump.json`.
  public static func readManifest(directory: String) throws(CaptureError) -> DumpManifest {
    let path = directory + "/dump.json"
    let bytes: [UInt8]
    do { bytes = try FileIO.read(path) } catch {
      throw CaptureError(.dumpInvalid, "\(path) cannot be read: is \(directory) a chalkline dump?", cause: error)
    }
    let manifest: DumpManifest
    do { manifest = try JSONDecoder().decode(DumpManifest.self, from: Data(bytes)) } catch {
      throw CaptureError(.dumpInvalid, "\(path) is not a valid chalkline dump manifest", cause: DecodingFailure(error))
    }
    guard manifest.format == DumpManifest.formatName, manifest.version == 1 else {
      throw CaptureError(
        .dumpInvalid,
        "\(path) is format \(manifest.format) version \(manifest.version); this build reads chalkline-dump version 1")
    }
    return manifest
  }

  /// The next frame or fault; nil when the dump is done.
  public mutating func next() -> FrameEvent? {
    guard !finished else { return nil }
    if let end = pendingEnd {
      finished = true
      return .fault(end)
    }
    while lineIndex < lines.count {
      let number = lineIndex + 1
      let line = lines[lineIndex]
      lineIndex += 1
      if line.allSatisfy({ $0 == " " || $0 == "\r" || $0 == "\t" }) { continue }
      let record: DumpFrameRecord
      do { record = try JSONDecoder().decode(DumpFrameRecord.self, from: Data(line.utf8)) } catch {
        if lineIndex == lines.count && lastLineIsPartial {
          finished = true
          return .fault(
            CaptureError(
              .dumpTruncated,
              "\(directory)/frames.jsonl line \(number) is cut off: the replay ends there (the recording was interrupted)",
              cause: DecodingFailure(error)))
        }
        return .fault(
          CaptureError(
            .badFrameLine, "\(directory)/frames.jsonl line \(number) is not a valid frame record: skipped",
            cause: DecodingFailure(error)))
      }
      return frame(record, line: number)
    }
    finished = true
    return nil
  }

  private mutating func frame(_ record: DumpFrameRecord, line: Int) -> FrameEvent {
    let place = "\(directory)/frames.jsonl line \(line) (seq \(record.seq), \(record.file))"
    guard let time = UTCTime.parse(record.time) else {
      return .fault(CaptureError(.badFrameLine, "\(place): time \(record.time) is not ISO 8601 UTC: skipped"))
    }
    if let lastTime, time < lastTime {
      return .fault(
        CaptureError(
          .timeWentBackwards,
          "\(place): time \(record.time) is before the previous frame's \(UTCTime.format(lastTime)): skipped"))
    }
    guard !record.file.contains(".."), !record.file.hasPrefix("/") else {
      return .fault(CaptureError(.badFrameLine, "\(place): the file must be inside the dump: skipped"))
    }
    let bytes: [UInt8]
    do { bytes = try FileIO.read(directory + "/" + record.file) } catch {
      return .fault(CaptureError(.frameFileMissing, "\(place): the frame file is missing: skipped", cause: error))
    }
    if record.pixelFormat.isJPEG {
      guard Self.isCompleteJPEG(bytes) else {
        return .fault(CaptureError(.frameTruncated, "\(place): the JPEG has no end marker (truncated): skipped"))
      }
    } else if let expected = record.pixelFormat.rawByteCount(width: record.width, height: record.height),
      bytes.count != expected
    {
      let needs = expected < 0 ? "no frame can be \(record.width)x\(record.height)" : "needs \(expected)"
      return .fault(
        CaptureError(.frameTruncated, "\(place): \(bytes.count) bytes where \(record.pixelFormat) \(needs): skipped"))
    }
    lastTime = time
    return .frame(
      Frame(
        sequence: record.seq, time: time, pixelFormat: record.pixelFormat, width: record.width, height: record.height,
        bytes: bytes))
  }

  /// Whether a JPEG stream starts with SOI and ends with EOI (trailing zero padding, which some
  /// cameras add to MJPEG buffers, is allowed).
  public static func isCompleteJPEG(_ bytes: [UInt8]) -> Bool {
    guard bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 else { return false }
    var end = bytes.count
    while end > 2, bytes[end - 1] == 0 { end -= 1 }
    return end >= 4 && bytes[end - 2] == 0xFF && bytes[end - 1] == 0xD9
  }
}

/// A decoding error kept as text, so a `CaptureError` can carry it across tasks.
public struct DecodingFailure: Error, Sendable, CustomStringConvertible {
  /// The decoder's description of the problem.
  public var description: String
  init(_ error: any Error) { description = "\(error)" }
}
