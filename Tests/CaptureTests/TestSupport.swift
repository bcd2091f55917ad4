// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Logging
import Synchronization

@testable import Capture

/// Keeps log records in memory so tests can count what was logged.
final class LogRecorder: Sendable {
  struct Record: Sendable {
    var level: Logger.Level
    var message: String
    var metadata: [String: String]
  }
  private let storage = Mutex<[Record]>([])

  var records: [Record] { storage.withLock { $0 } }

  func logger(_ label: String = "test") -> Logger {
    Logger(label: label) { _ in Handler(recorder: self) }
  }

  func append(_ record: Record) { storage.withLock { $0.append(record) } }

  struct Handler: LogHandler {
    let recorder: LogRecorder
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
      get { metadata[key] }
      set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
      var flat: [String: String] = [:]
      for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) { flat[key] = "\(value)" }
      recorder.append(Record(level: event.level, message: "\(event.message)", metadata: flat))
    }
  }
}

/// Runs `body` with a fresh temporary directory, removed afterwards.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async rethrows -> T {
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("capture-tests-\(UUID().uuidString)").path
  try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(atPath: path) }
  return try await body(path)
}

/// A small valid-looking JPEG stream (SOI … EOI); the dump code only checks the markers.
func fakeJPEG(seed: UInt8, length: Int = 300) -> [UInt8] {
  [0xFF, 0xD8, 0xFF, 0xE0] + (0..<length).map { UInt8(truncatingIfNeeded: Int($0) * 7 + Int(seed)) } + [0xFF, 0xD9]
}

/// A frame of the given format with deterministic bytes.
func makeFrame(_ sequence: UInt64, _ format: PixelFormat, width: Int = 8, height: Int = 4, at time: Date) -> Frame {
  let bytes: [UInt8]
  if let count = format.rawByteCount(width: width, height: height) {
    bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 13 + Int(sequence)) }
  } else {
    bytes = fakeJPEG(seed: UInt8(truncatingIfNeeded: sequence))
  }
  return Frame(sequence: sequence, time: time, pixelFormat: format, width: width, height: height, bytes: bytes)
}

/// Collects a sequence's events.
func collect<S: AsyncSequence<FrameEvent, Never>>(_ events: S) async -> [FrameEvent] {
  var result: [FrameEvent] = []
  for await event in events { result.append(event) }
  return result
}

extension FrameEvent {
  var frame: Frame? { if case .frame(let frame) = self { frame } else { nil } }
  var fault: CaptureError? { if case .fault(let error) = self { error } else { nil } }
}
