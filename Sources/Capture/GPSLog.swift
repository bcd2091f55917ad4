// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// One line of a dump's `gps.jsonl`: a gpsd JSON report kept as raw text, with just enough
/// parsed to order and pace it. Parsing the report is the Positioning module's job.
public struct GPSLogLine: Sendable, Equatable {
  /// The 1-based line number in `gps.jsonl`.
  public var number: Int
  /// The report exactly as gpsd sent it, without the newline.
  public var text: String
  /// The report's `class` (`TPV`, `SKY`, `VERSION`, …), if it has one.
  public var reportClass: String?
  /// The report's `time` (TPV and others carry one), if it has a valid one.
  public var time: Date?
}

/// Reads a dump's `gps.jsonl`.
public enum GPSLog {
  /// The lines of `gps.jsonl` in the dump at `directory`, and the lines skipped as damaged
  /// (not a JSON object, or cut off at the end). A dump without `gps.jsonl` has no lines.
  public static func read(directory: String) -> (lines: [GPSLogLine], faults: [CaptureError]) {
    let path = directory + "/gps.jsonl"
    guard let bytes = try? FileIO.read(path) else { return ([], []) }
    var lines: [GPSLogLine] = []
    var faults: [CaptureError] = []
    let text = String(decoding: bytes, as: UTF8.self)
    var pieces = text.split(separator: "\n", omittingEmptySubsequences: false)
    let partial = pieces.last != ""
    if !partial { pieces.removeLast() }
    for (offset, piece) in pieces.enumerated() {
      let number = offset + 1
      let line = String(piece.hasSuffix("\r") ? piece.dropLast() : piece)
      if line.isEmpty { continue }
      guard line.hasPrefix("{"), line.hasSuffix("}") else {
        let what = partial && offset == pieces.count - 1 ? "is cut off" : "is not a gpsd JSON object"
        faults.append(CaptureError(.badGPSLine, "\(path) line \(number) \(what): skipped"))
        continue
      }
      let time = stringValue(of: "time", in: line).flatMap { UTCTime.parse($0) }
      lines.append(GPSLogLine(number: number, text: line, reportClass: stringValue(of: "class", in: line), time: time))
    }
    return (lines, faults)
  }

  /// The string value of a top-level-looking `"key": "value"` pair (the first occurrence).
  /// Enough for gpsd's flat `class` and `time`; not a JSON parser.
  public static func stringValue(of key: String, in line: String) -> String? {
    let bytes = Array(line.utf8)
    let needle = Array("\"\(key)\"".utf8)
    var i = 0
    while i + needle.count <= bytes.count {
      if Array(bytes[i..<(i + needle.count)]) == needle {
        var j = i + needle.count
        while j < bytes.count, bytes[j] == 0x20 { j += 1 }
        guard j < bytes.count, bytes[j] == UInt8(ascii: ":") else { i += 1; continue }
        j += 1
        while j < bytes.count, bytes[j] == 0x20 { j += 1 }
        guard j < bytes.count, bytes[j] == UInt8(ascii: "\"") else { return nil }
        let start = j + 1
        guard let end = bytes[start...].firstIndex(of: UInt8(ascii: "\"")) else { return nil }
        return String(decoding: bytes[start..<end], as: UTF8.self)
      }
      i += 1
    }
    return nil
  }
}
