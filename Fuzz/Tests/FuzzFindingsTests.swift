// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineModel
import Dump
import Foundation
import Imaging
import Positioning
import Testing

/// What each crash the fuzz targets found (or review of their code paths found) does now, on
/// the very input, named `crash-…` in `Fuzz/corpus/TARGET/`: a clear refusal instead of a trap
/// or a 4 GB allocation.
@Suite(.serialized) struct FuzzFindingsTests {
  static func input(_ target: String, _ name: String) throws -> Data {
    try Data(contentsOf: FuzzRegressionTests.corpus.appendingPathComponent(target).appendingPathComponent(name))
  }

  @Test("gpsd: a TPV whose mode no Int holds is a fix of unknown mode, not a trap")
  func gpsdModeOutOfRange() throws {
    let line = String(decoding: try Self.input("gpsd", "crash-review-mode-1e300.jsonl"), as: UTF8.self)
    guard case .tpv(let fix?, _) = GPSDReport.decode(line: line) else {
      Issue.record("the TPV was not decoded")
      return
    }
    #expect(fix.mode == .unknown)
    #expect(fix.position == nil)
  }

  @Test("dump frames: a raw frame record of width Int.max is skipped with the size named")
  func dumpFrameWidthOverflow() throws {
    try withDump(framesJSONL: Self.input("dump-frames", "crash-review-width-int-max.jsonl")) { dir in
      var reader = DumpReader(directory: dir)
      guard case .fault(let error) = reader.next() else {
        Issue.record("the frame was not refused")
        return
      }
      #expect(error.code == .frameTruncated)
      #expect(error.message.contains("no frame can be 9223372036854775807x8"))
      #expect(reader.next() == nil)
    }
  }

  @Test(
    "dump times: a fraction of any length is read to the millisecond (19 digits overflowed an Int)",
    arguments: [
      ("2026-03-02T09:00:00.333333333333333333333333333333Z", 1_772_442_000.333),
      ("2026-03-02T09:00:00.1234567891234567891Z", 1_772_442_000.123),
      ("2026-03-02T09:00:00.9996Z", 1_772_442_001.0),
      ("2026-03-02T09:00:00.5Z", 1_772_442_000.5),
    ])
  func dumpTimeLongFraction(_ text: String, _ seconds: Double) {
    #expect(UTCTime.parse(text)?.timeIntervalSince1970 == seconds)
  }

  @Test("dump times: a long fraction with a letter in it is refused")
  func dumpTimeLongFractionNotDigits() {
    #expect(UTCTime.parse("2026-03-02T09:00:00.33333333333333333333x333Z") == nil)
  }

  @Test("dump frames: the fuzzer's frames.jsonl with a 90-digit fraction replays its frames")
  func dumpFrameLongFraction() throws {
    let input = try Self.input("dump-frames", "crash-e2ba7192006d58d917a345e568119a5615f33a62")
    try withDump(framesJSONL: input) { dir in
      var reader = DumpReader(directory: dir)
      var events = 0
      while reader.next() != nil { events += 1 }
      #expect(events == 6)
    }
  }

  @Test("raw frames: a size past Int.max is a bad frame size, for YUYV and GREY")
  func rawFrameSizeOverflow() {
    #expect(throws: ImagingError.self) { try LumaImage(yuyv: [0, 0, 0, 0], width: Int.max - 1, height: 2) }
    #expect(throws: ImagingError.self) { try LumaImage(grey: [0, 0], width: Int.max, height: 2) }
    #expect(PixelFormat.yuyv.rawByteCount(width: Int.max, height: 8) == -1)
    #expect(PixelFormat.grey.rawByteCount(width: -4, height: 8) == -1)
    #expect(PixelFormat.grey.rawByteCount(width: 16, height: 8) == 128)
  }

  @Test("MJPEG: a header claiming 65000x65000 is refused before anything is allocated")
  func jpegHeaderTooLarge() throws {
    let bytes = [UInt8](try Self.input("frame", "crash-review-jpeg-65000x65000").dropFirst(5))
    let decoder = try JPEGDecoder()
    #expect(try decoder.header(of: bytes) == JPEGHeader(width: 65000, height: 65000))
    let error = #expect(throws: ImagingError.self) { try decoder.decodeLuma(bytes) }
    #expect(error?.code == .corruptJPEG)
    // The refusal names the size: libjpeg-turbo never saw the stream (it would also fail on the
    // damaged data, but only after 4 GB were allocated for it).
    #expect(error?.message.contains("states 65000x65000 pixels") == true)
    #expect(throws: ImagingError.self) { try decoder.decodeRGB(bytes) }
  }

  /// A dump directory with the frame files the records above name.
  func withDump(framesJSONL: Data, _ body: (String) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fuzz-findings-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: dir) }
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("frames"), withIntermediateDirectories: true)
    let manifest = try Self.input("dump-manifest", "mjpeg.json")
    try manifest.write(to: dir.appendingPathComponent("dump.json"))
    try framesJSONL.write(to: dir.appendingPathComponent("frames.jsonl"))
    try Data(repeating: 0x80, count: 256).write(to: dir.appendingPathComponent("frames/000001.yuyv"))
    try body(dir.path)
  }
}
