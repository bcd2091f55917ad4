// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation
import Logging
import Positioning
import Testing

@testable import Capture
@testable import Dump

@Suite struct DumpRoundTripTests {
  let start = Date(timeIntervalSince1970: 1_772_442_000.125)  // 2026-03-02T09:00:00.125Z

  func record(_ frames: [Frame], gps: [String], into directory: String) throws {
    let manifest = DumpManifest(
      camera: .init(device: "/dev/video0", width: 8, height: 4, pixelFormat: frames[0].pixelFormat, fps: 10),
      created: start)
    let writer = try DumpWriter(directory: directory, manifest: manifest, logger: LogRecorder().logger())
    defer { writer.close() }
    for frame in frames { try writer.write(frame) }
    for line in gps { try writer.writeGPS(line: line) }
  }

  @Test(arguments: [PixelFormat.mjpeg, .yuyv, .grey])
  func recordThenReplayIsBitExact(format: PixelFormat) async throws {
    try await withTemporaryDirectory { directory in
      let dump = directory + "/dump"
      let frames = (0..<5).map { makeFrame(UInt64($0), format, at: start.addingTimeInterval(Double($0) * 0.1)) }
      let gps = [
        #"{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}"#,
        #"{"class":"TPV","device":"tcp://127.0.0.1:2947","mode":3,"time":"2026-03-02T09:00:00.000Z","lat":52.370216,"lon":4.895168}"#,
        #"{"class":"SKY","device":"tcp://127.0.0.1:2947","satellites":[]}"#,
        #"{"class":"TPV","device":"tcp://127.0.0.1:2947","mode":3,"time":"2026-03-02T09:00:01.000Z","lat":52.370266,"lon":4.895248}"#,
      ]
      try record(frames, gps: gps, into: dump)
      let events = await collect(DumpFrameSource(directory: dump, pace: .fast, logger: LogRecorder().logger()).events())
      let replayed = events.compactMap(\.frame)
      #expect(events.compactMap(\.fault).isEmpty)
      #expect(replayed.count == frames.count)
      for (original, copy) in zip(frames, replayed) {
        #expect(copy.bytes == original.bytes)
        #expect(copy.sequence == original.sequence)
        #expect(copy.pixelFormat == original.pixelFormat)
        #expect(copy.width == original.width && copy.height == original.height)
        #expect(UTCTime.format(copy.time) == UTCTime.format(original.time))
      }
      // The dump's gps.jsonl holds gpsd's lines as sent; Positioning's GPSDLog reads them back.
      let text = try String(contentsOfFile: dump + "/gps.jsonl", encoding: .utf8)
      #expect(text == gps.map { $0 + "\n" }.joined())
      let log = try GPSDLog(contentsOf: URL(fileURLWithPath: dump + "/gps.jsonl"))
      #expect(log.malformedLines == 0)
      #expect(log.reports.map(\.line) == [1, 2, 3, 4])
      #expect(log.fixes.map { UTCTime.format($0.time) } == ["2026-03-02T09:00:00.000Z", "2026-03-02T09:00:01.000Z"])
      let manifest = try DumpReader.readManifest(directory: dump)
      #expect(manifest.camera.pixelFormat == format)
      #expect(manifest.created == "2026-03-02T09:00:00.125Z")
    }
  }

  @Test func filesFollowTheDocumentedLayout() async throws {
    try await withTemporaryDirectory { directory in
      let dump = directory + "/dump"
      try record([makeFrame(0, .mjpeg, at: start), makeFrame(1, .mjpeg, at: start)], gps: [], into: dump)
      let lines = try String(contentsOfFile: dump + "/frames.jsonl", encoding: .utf8).split(separator: "\n")
      #expect(
        lines[0]
          == #"{"seq": 0, "time": "2026-03-02T09:00:00.125Z", "file": "frames/000000.jpg", "pixel_format": "MJPG", "width": 8, "height": 4}"#
      )
      let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dump + "/dump.json")))
      let object = try #require(manifest as? [String: Any])
      #expect(object["format"] as? String == "chalkline-dump")
      #expect(object["version"] as? Int == 1)
      #expect((object["camera"] as? [String: Any])?["pixel_format"] as? String == "MJPG")
      #expect(FileManager.default.fileExists(atPath: dump + "/frames/000001.jpg"))
      #expect(FileManager.default.fileExists(atPath: dump + "/gps.jsonl"))
    }
  }

  @Test func aDirectoryHoldingADumpIsNotOverwritten() async throws {
    try await withTemporaryDirectory { directory in
      try record([makeFrame(0, .grey, at: start)], gps: [], into: directory + "/d")
      #expect(throws: CaptureError.self) {
        try record([makeFrame(0, .grey, at: start)], gps: [], into: directory + "/d")
      }
    }
  }

  @Test func realtimePaceWaitsAsLongAsTheRecording() async throws {
    try await withTemporaryDirectory { directory in
      let dump = directory + "/dump"
      try record(
        (0..<3).map { makeFrame(UInt64($0), .grey, at: start.addingTimeInterval(Double($0) * 0.15)) }, gps: [],
        into: dump)
      let began = ContinuousClock.now
      let events = await collect(
        DumpFrameSource(directory: dump, pace: .realtime, logger: LogRecorder().logger()).events())
      // A lower bound only: sleeping can overrun on a busy machine, never undershoot.
      #expect(ContinuousClock.now - began >= .milliseconds(290))
      #expect(events.compactMap(\.frame).count == 3)
    }
  }

  @Test func realtimePaceCutsAPauseBetweenPassesShort() {
    // Two frames, an hour's pause (a patrol's second pass), two more: due 0.1 s apart each.
    var schedule = RealtimeSchedule()
    let offsets = [0, 0.1, 3600, 3600.1, 3600.3].map { schedule.offset(ofFrameAt: 1_000_000 + $0) }
    let expected = [0, 0.1, 0.2, 0.3, 0.5]
    #expect(zip(offsets, expected).allSatisfy { abs($0 - $1) < 1e-6 }, "\(offsets)")
  }
}

/// Damaged dumps: one row a kind of damage, what the replay must deliver and say.
@Suite struct DamagedDumpTests {
  enum Damage: String, CaseIterable, Sendable {
    case missingFrameFile, truncatedJPEG, badJSONLineInTheMiddle, cutOffLastLine, timeGoesBackwards, shortRawFrame
    case noManifest, noFramesFile
  }

  struct Expectation {
    var frames: [UInt64]
    var faults: [CaptureError.Code]
  }

  static let expected: [Damage: Expectation] = [
    .missingFrameFile: .init(frames: [0, 1, 3, 4], faults: [.frameFileMissing]),
    .truncatedJPEG: .init(frames: [0, 1, 3, 4], faults: [.frameTruncated]),
    .badJSONLineInTheMiddle: .init(frames: [0, 1, 3, 4], faults: [.badFrameLine]),
    .cutOffLastLine: .init(frames: [0, 1, 2, 3], faults: [.dumpTruncated]),
    .timeGoesBackwards: .init(frames: [0, 1, 2, 4], faults: [.timeWentBackwards]),
    .shortRawFrame: .init(frames: [0, 1, 3, 4], faults: [.frameTruncated]),
    .noManifest: .init(frames: [], faults: [.dumpInvalid]),
    .noFramesFile: .init(frames: [], faults: [.dumpInvalid]),
  ]

  @Test(arguments: Damage.allCases)
  func damagedDumpReplaysUpToTheDamageOrSkipsTheFrame(damage: Damage) async throws {
    try await withTemporaryDirectory { directory in
      let dump = directory + "/dump"
      let start = Date(timeIntervalSince1970: 1_772_442_000)
      let format: PixelFormat = damage == .shortRawFrame ? .yuyv : .mjpeg
      let manifest = DumpManifest(
        camera: .init(device: "/dev/video0", width: 8, height: 4, pixelFormat: format, fps: 10), created: start)
      let writer = try DumpWriter(directory: dump, manifest: manifest, logger: LogRecorder().logger())
      var frames = (0..<5).map { makeFrame(UInt64($0), format, at: start.addingTimeInterval(Double($0))) }
      if damage == .timeGoesBackwards { frames[3].time = start.addingTimeInterval(0.5) }
      for frame in frames { try writer.write(frame) }
      writer.close()
      try damageDump(dump, damage)
      let logs = LogRecorder()
      let events = await collect(DumpFrameSource(directory: dump, pace: .fast, logger: logs.logger()).events())
      let want = try #require(Self.expected[damage])
      #expect(events.compactMap(\.frame).map(\.sequence) == want.frames)
      #expect(events.compactMap(\.fault).map(\.code) == want.faults)
      // It says which: the message names the file or line, and every fault is logged.
      for fault in events.compactMap(\.fault) { #expect(fault.message.contains(dump)) }
      #expect(logs.records.filter { $0.level == .warning }.count == want.faults.count)
    }
  }

  func damageDump(_ dump: String, _ damage: Damage) throws {
    let fm = FileManager.default
    let framesFile = dump + "/frames.jsonl"
    var lines = try String(contentsOfFile: framesFile, encoding: .utf8).split(separator: "\n").map(String.init)
    switch damage {
    case .missingFrameFile: try fm.removeItem(atPath: dump + "/frames/000002.jpg")
    case .truncatedJPEG:
      let path = dump + "/frames/000002.jpg"
      let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
      try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: path))
    case .shortRawFrame:
      let path = dump + "/frames/000002.yuyv"
      let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
      try bytes.dropLast(3).write(to: URL(fileURLWithPath: path))
    case .badJSONLineInTheMiddle:
      lines[2] = #"{"seq": 2, "time": "2026-03-02T09:00:02.000Z", "fi"#
      try (lines.joined(separator: "\n") + "\n").write(toFile: framesFile, atomically: true, encoding: .utf8)
    case .cutOffLastLine:
      let text = lines.joined(separator: "\n")
      try String(text.dropLast(25)).write(toFile: framesFile, atomically: true, encoding: .utf8)
    case .timeGoesBackwards: break
    case .noManifest: try fm.removeItem(atPath: dump + "/dump.json")
    case .noFramesFile: try fm.removeItem(atPath: framesFile)
    }
  }
}

@Suite struct FormatTests {
  @Test(arguments: [
    ("2026-03-02T09:00:00.000Z", 1_772_442_000.0),
    ("2026-03-02T09:00:00.125Z", 1_772_442_000.125),
    ("2026-03-02T09:00:00Z", 1_772_442_000.0),
    ("1999-12-31T23:59:59.999Z", 946_684_799.999),
  ])
  func utcTimesParseAndFormat(text: String, seconds: Double) {
    let date = UTCTime.parse(text)
    #expect(date.map { abs($0.timeIntervalSince1970 - seconds) < 0.0005 } == true)
    if text.count == 24 { #expect(date.map(UTCTime.format) == text) }
  }

  @Test(arguments: ["", "2026-03-02 09:00:00Z", "2026-13-02T09:00:00Z", "2026-03-02T09:00:00.Z", "2026-03-02T09:00:00"])
  func badTimesAreRejected(text: String) {
    #expect(UTCTime.parse(text) == nil)
  }

  @Test func formattingRoundsToTheNearestMillisecond() {
    for millis in stride(from: 0, to: 100_000, by: 37) {
      let date = Date(timeIntervalSince1970: 1_772_442_000 + Double(millis) / 1000)
      let again = UTCTime.parse(UTCTime.format(date))!
      #expect(UTCTime.format(again) == UTCTime.format(date))
    }
  }

  @Test func pixelFormatNames() {
    #expect(PixelFormat.mjpeg.name == "MJPG")
    #expect(PixelFormat(name: "YUYV") == .yuyv)
    #expect(PixelFormat(name: "GREY") == .grey)
    #expect(PixelFormat(name: "TOOLONG") == nil)
    #expect(PixelFormat(fourcc: PixelFormat.grey.fourcc | 0x8000_0000).name == "GREY-BE")
  }

  @Test func jpegCompletenessLooksForTheEndMarker() {
    #expect(DumpReader.isCompleteJPEG(fakeJPEG(seed: 1)))
    #expect(DumpReader.isCompleteJPEG(fakeJPEG(seed: 1) + [0, 0, 0]))
    #expect(!DumpReader.isCompleteJPEG(Array(fakeJPEG(seed: 1).dropLast(1))))
    #expect(!DumpReader.isCompleteJPEG([0x00, 0x01, 0xFF, 0xD9]))
  }

  @Test func damagedGPSLinesAreCountedAndSkipped() async throws {
    try await withTemporaryDirectory { directory in
      let text =
        #"{"class":"TPV","mode":3,"time":"2026-03-02T09:00:00.000Z"}"# + "\n" + "garbage\n"
        + #"{"class" : "TPV", "mode" : 3, "time" : "2026-03-02T09:00:01.000Z"}"# + "\n" + #"{"class":"SKY","sat"#
      try text.write(toFile: directory + "/gps.jsonl", atomically: true, encoding: .utf8)
      let log = try GPSDLog(contentsOf: URL(fileURLWithPath: directory + "/gps.jsonl"))
      #expect(log.reports.map(\.line) == [1, 3])
      #expect(log.fixes.map { UTCTime.format($0.time) } == ["2026-03-02T09:00:00.000Z", "2026-03-02T09:00:01.000Z"])
      #expect(log.malformedLines == 2)
      #expect(log.firstMalformedLine == 2)
    }
  }
}
