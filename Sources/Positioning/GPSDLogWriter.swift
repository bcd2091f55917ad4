// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// Appends gpsd JSON lines to a log file, one object a line.
///
/// Lines received from gpsd are written as received, so a recording replays exactly what gpsd said.
/// Not thread-safe: one writer per file, owned by one task.
public final class GPSDLogWriter {
  private let handle: FileHandle
  private let path: String
  /// Lines written so far.
  public private(set) var linesWritten = 0

  /// Opens (creating or appending to) the log at `url`.
  public init(url: URL) throws(PositioningError) {
    path = url.path
    if !FileManager.default.fileExists(atPath: path) {
      _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    do {
      handle = try FileHandle(forWritingTo: url)
      try handle.seekToEnd()
    } catch {
      throw PositioningError(
        .logUnwritable,
        "Cannot open the gpsd log \(url.path) for writing; check the directory exists and has space.",
        cause: error
      )
    }
  }

  /// Appends one gpsd JSON object. Newlines inside `line` are removed so one object stays one line.
  public func write(line: String) throws(PositioningError) {
    var text = line.replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
    text.append("\n")
    do {
      try handle.write(contentsOf: Data(text.utf8))
      linesWritten += 1
    } catch {
      throw PositioningError(
        .logUnwritable, "Cannot append to the gpsd log \(path); the disk may be full.", cause: error)
    }
  }

  /// Appends `fix` as a `TPV` object.
  public func write(_ fix: Fix) throws(PositioningError) {
    try write(line: fix.tpvLine)
  }

  /// Flushes and closes the file.
  public func close() throws(PositioningError) {
    do {
      try handle.synchronize()
      try handle.close()
    } catch {
      throw PositioningError(.logUnwritable, "Cannot close the gpsd log \(path).", cause: error)
    }
  }
}
