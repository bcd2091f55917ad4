// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// A gpsd JSON log (`gps.jsonl` in a frame dump): one gpsd JSON object a line, exactly as `gpspipe -w` prints.
///
/// Reading ignores classes and fields it does not know and counts, then skips, lines that are not a JSON object
/// with a `class` (a damaged tail, NMEA that `gpspipe -r` mixed in, a half-written last line).
public struct GPSDLog: Sendable {
  /// Every report, in file order, with its 1-based line number.
  public var reports: [(line: Int, report: GPSDReport)]
  /// Lines that were not a gpsd JSON object (blank lines are not counted).
  public var malformedLines: Int
  /// The line number of the first malformed line, to say where a log is damaged.
  public var firstMalformedLine: Int?

  /// Decodes a whole log held in memory.
  public init(data: Data) {
    reports = []
    malformedLines = 0
    var lineNumber = 0
    for rawLine in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      guard rawLine.contains(where: { $0 != 32 && $0 != 9 && $0 != 13 }) else { continue }
      if let text = String(bytes: rawLine, encoding: .utf8), let report = GPSDReport.decode(line: text) {
        reports.append((lineNumber, report))
      } else {
        malformedLines += 1
        if firstMalformedLine == nil { firstMalformedLine = lineNumber }
      }
    }
  }

  /// Reads and decodes the log at `url`.
  public init(contentsOf url: URL) throws(PositioningError) {
    do {
      self.init(data: try Data(contentsOf: url))
    } catch {
      throw PositioningError(
        .logUnreadable,
        "Cannot read the gpsd log \(url.path); check that the file exists and is readable.",
        cause: error
      )
    }
  }

  /// The fixes of the log, one per receiver epoch (see ``EpochMerger``), in time order.
  ///
  /// Includes fixes without a position (mode 1); put them through ``FixQuality`` before use.
  public var fixes: [Fix] {
    var merger = EpochMerger()
    var result: [Fix] = []
    for (_, report) in reports {
      if case .tpv(let fix?, _) = report, let done = merger.add(fix) { result.append(done) }
    }
    if let last = merger.flush() { result.append(last) }
    return result
  }
}
