// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineModel
import Logging
import Synchronization

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Writes a frame dump (`chalkline-dump` version 1): `dump.json`, then frames and gpsd lines as
/// they come. Frames are stored as captured; a frame's file is written before its
/// `frames.jsonl` line, so a dump cut off at any instant names no missing file.
/// Safe to use from several tasks (frames from the camera, lines from gpsd).
public final class DumpWriter: Sendable {
  /// The dump directory.
  public let directory: String
  private let state: Mutex<State>
  private let logger: Logger

  private struct State {
    var frames: AppendFile?
    var gps: AppendFile?
    var framesWritten = 0
    var gpsLinesWritten = 0
  }

  /// Creates the dump directory (it may exist but must not hold a dump) and writes `dump.json`.
  public init(directory: String, manifest: DumpManifest, logger: Logger) throws(CaptureError) {
    self.directory = directory
    self.logger = logger
    let manifestPath = directory + "/dump.json"
    if FileIO.exists(manifestPath) {
      throw CaptureError(.writeFailed, "\(directory) already holds a dump: choose a new --out directory")
    }
    do throws(SystemCallError) {
      try FileIO.makeDirectory(directory + "/frames")
      try FileIO.write(Self.encode(manifest) + [0x0A], to: manifestPath)
      let frames = try AppendFile(directory + "/frames.jsonl")
      let gps: AppendFile
      do { gps = try AppendFile(directory + "/gps.jsonl") } catch {
        frames.close()
        throw error
      }
      state = Mutex(State(frames: frames, gps: gps))
    } catch {
      throw CaptureError(
        .writeFailed, "Cannot create the dump in \(directory): check the path and free space", cause: error)
    }
  }

  private static func encode(_ manifest: DumpManifest) -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    // Encoding plain strings and numbers cannot fail.
    return Array(try! encoder.encode(manifest))
  }

  deinit {
    state.withLock { state in
      assert(state.frames == nil && state.gps == nil, "DumpWriter \(directory) leaked: call close() before dropping it")
    }
  }

  /// The file name a frame gets, relative to the dump: `frames/000042.jpg`.
  public static func fileName(for frame: Frame) -> String {
    let digits = String(frame.sequence)
    let padded = digits.count >= 6 ? digits : String(repeating: "0", count: 6 - digits.count) + digits
    return "frames/\(padded).\(frame.pixelFormat.dumpFileExtension)"
  }

  /// Stores a frame's bytes as captured and appends its `frames.jsonl` line.
  public func write(_ frame: Frame) throws(CaptureError) {
    let file = Self.fileName(for: frame)
    let record = DumpFrameRecord(
      seq: frame.sequence, time: UTCTime.format(frame.time), file: file, pixelFormat: frame.pixelFormat,
      width: frame.width, height: frame.height)
    let result: Result<Void, SystemCallError> = state.withLock { state in
      guard let frames = state.frames else { return .failure(SystemCallError(call: "write after close", errno: EBADF)) }
      do throws(SystemCallError) {
        try FileIO.write(frame.bytes, to: directory + "/" + file)
        try frames.append(line: record.jsonLine)
        state.framesWritten += 1
        return .success(())
      } catch {
        return .failure(error)
      }
    }
    if case .failure(let error) = result {
      throw CaptureError(
        .writeFailed, "Cannot write frame \(frame.sequence) to \(directory): check free space", cause: error)
    }
  }

  /// Appends one gpsd JSON report, exactly as received (without its newline).
  public func writeGPS(line: String) throws(CaptureError) {
    let result: Result<Void, SystemCallError> = state.withLock { state in
      guard let gps = state.gps else { return .failure(SystemCallError(call: "write after close", errno: EBADF)) }
      do throws(SystemCallError) {
        try gps.append(line: line)
        state.gpsLinesWritten += 1
        return .success(())
      } catch {
        return .failure(error)
      }
    }
    if case .failure(let error) = result {
      throw CaptureError(.writeFailed, "Cannot write gps.jsonl in \(directory): check free space", cause: error)
    }
  }

  /// How many frames and gpsd lines were written.
  public var counts: (frames: Int, gpsLines: Int) { state.withLock { ($0.framesWritten, $0.gpsLinesWritten) } }

  /// Flushes and closes the dump's files. Safe to call twice.
  public func close() {
    let counts = state.withLock { state in
      state.frames?.close()
      state.gps?.close()
      state.frames = nil
      state.gps = nil
      return (state.framesWritten, state.gpsLinesWritten)
    }
    logger.debug(
      "dump closed",
      metadata: ["dump.directory": "\(directory)", "dump.frames": "\(counts.0)", "dump.gps_lines": "\(counts.1)"])
  }
}

#if canImport(Glibc)
  import Glibc
#endif
