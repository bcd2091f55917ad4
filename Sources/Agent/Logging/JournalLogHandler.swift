// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Logging

/// A swift-log handler for the systemd journal and for terminals.
///
/// Under systemd (stderr connected to the journal, `JOURNAL_STREAM` set) each line starts with a
/// syslog priority prefix such as `<4>`, which journald turns into the entry's priority. On a
/// terminal lines are plain: time, level, label, message, metadata. Metadata is written as
/// `key=value` pairs sorted by key, so a line is greppable; plate text must never be put in it.
public struct JournalLogHandler: LogHandler {
  /// Where lines go; a test collects them, production writes to stderr.
  public typealias Sink = @Sendable (String) -> Void

  public var logLevel: Logger.Level
  public var metadata: Logger.Metadata = [:]
  public var metadataProvider: Logger.MetadataProvider?
  private let label: String
  private let journal: Bool
  private let sink: Sink

  /// - Parameters:
  ///   - label: the component, such as `chalkline.capture`.
  ///   - level: the lowest level written (from the device profile).
  ///   - journal: whether to write syslog priority prefixes; by default, when running under systemd.
  ///   - sink: where lines go; by default stderr.
  public init(
    label: String, level: Logger.Level = .info, journal: Bool = JournalLogHandler.runningUnderJournal,
    sink: @escaping Sink = JournalLogHandler.standardError
  ) {
    self.label = label
    self.logLevel = level
    self.journal = journal
    self.sink = sink
  }

  /// Whether stderr is connected to the journal (systemd sets `JOURNAL_STREAM` for the service).
  public static var runningUnderJournal: Bool { ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil }

  /// Writes a line to standard error in one call, so lines from several threads do not interleave.
  public static let standardError: Sink = { line in
    var bytes = Array(line.utf8)
    bytes.append(UInt8(ascii: "\n"))
    bytes.withUnsafeBytes { buffer in _ = write(STDERR_FILENO, buffer.baseAddress, buffer.count) }
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var merged = metadata
    if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
    if let extra = event.metadata { merged.merge(extra) { _, new in new } }
    let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.render($0.value))" }.joined(separator: " ")
    let text = fields.isEmpty ? "\(event.message)" : "\(event.message) \(fields)"
    if journal {
      sink("<\(Self.priority(event.level))>\(label): \(text)")
    } else {
      sink("\(Self.timestamp()) \(event.level.rawValue.uppercased()) \(label): \(text)")
    }
  }

  /// The syslog priority journald reads from the `<N>` prefix (sd-daemon.h's SD_ERR and friends).
  public static func priority(_ level: Logger.Level) -> Int {
    switch level {
    case .trace, .debug: 7
    case .info: 6
    case .notice: 5
    case .warning: 4
    case .error: 3
    case .critical: 2
    }
  }

  private static func render(_ value: Logger.Metadata.Value) -> String {
    let text = "\(value)"
    return text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" })
      ? "\"\(text.replacingOccurrences(of: "\"", with: "\\\""))\"" : text
  }

  private static func timestamp() -> String {
    Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true))
  }
}
