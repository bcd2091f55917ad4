// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import Capture
import Dump
import Foundation
import Imaging

/// Frame dumps and frame files, through `DumpReader` and the pipeline's decode.
enum FuzzDump {
  /// One decoder for the process, as the pipeline keeps one (unsafe: libFuzzer and the
  /// regression tests call a target from one thread at a time).
  nonisolated(unsafe) static let decoder = try! JPEGDecoder()

  static func manifest(_ input: Data) {
    let dir = FuzzScratch.write(input, to: "dump.json", in: "manifest")
    _ = try? DumpReader.readManifest(directory: dir)
  }

  /// The fixed part of the dump whose `frames.jsonl` is fuzzed: a manifest and three frame files
  /// (a 32x24 JPEG, a YUYV and a GREY frame of 16x8), which the lines may name at any size.
  static let framesDirectory: String = {
    let manifest = """
      {"format": "chalkline-dump", "version": 1, "camera": {"device": "/dev/video0", "width": 32, "height": 24, \
      "pixel_format": "MJPG", "fps": 10}, "created": "2026-03-02T09:00:00.000Z"}
      """
    let dir = FuzzScratch.write(Data(manifest.utf8), to: "dump.json", in: "frames")
    let image = LumaImage(width: 32, height: 24, fill: 128)
    let jpeg = (try? JPEGEncoder().encode(image)) ?? []
    _ = FuzzScratch.write(Data(jpeg), to: "000000.jpg", in: "frames/frames")
    _ = FuzzScratch.write(Data(repeating: 0x80, count: 16 * 8 * 2), to: "000001.yuyv", in: "frames/frames")
    _ = FuzzScratch.write(Data(repeating: 0x40, count: 16 * 8), to: "000002.gray", in: "frames/frames")
    return dir
  }()

  static func frames(_ input: Data) {
    let dir = framesDirectory
    _ = FuzzScratch.write(input, to: "frames.jsonl", in: "frames")
    var reader = DumpReader(directory: dir)
    var events = 0
    while let event = reader.next() {
      events += 1
      if events > 100_000 { contractBroken("DumpReader does not end") }
      if case .frame(let frame) = event { _ = try? frame.luma(decoder: decoder) }
    }
  }

  static func frame(_ input: Data) {
    let bytes = [UInt8](input)
    guard bytes.count >= 5 else { return }
    let formats: [PixelFormat] = [.mjpeg, .yuyv, .grey, .jpeg]
    let format = formats[Int(bytes[0]) % formats.count]
    let width = Int(bytes[1]) << 8 | Int(bytes[2])
    let height = Int(bytes[3]) << 8 | Int(bytes[4])
    let frame = Frame(
      sequence: 0, time: Date(timeIntervalSince1970: 1_772_442_000), pixelFormat: format, width: width,
      height: height, bytes: Array(bytes[5...]))
    if format.isJPEG, !DumpReader.isCompleteJPEG(frame.bytes) { return }
    if let expected = frame.expectedRawByteCount, expected != frame.bytes.count { return }
    _ = try? frame.luma(decoder: decoder)
  }
}
