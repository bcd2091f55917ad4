// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Logging
import Testing

@testable import ChalklineBench
@testable import Positioning

@Suite("benchmark")
struct PositioningBenchmarkTests {
  @Test("runs against a real gpsd and reports every figure")
  func reportsFigures() async throws {
    let logger = Logger(label: "test.bench", factory: { _ in SwiftLogNoOpLogHandler() })
    let figures = try await PositioningBenchmark.run(epochs: 300, restarts: 1, logger: logger)
    #expect(
      figures.map(\.metric) == [
        "gpsd_client_fixes_per_second", "gpsd_client_reports_per_second", "gpsd_client_fixes_received",
        "gpsd_reconnect_seconds_median", "gpsd_reconnect_seconds_max",
      ])
    #expect(figures.allSatisfy { $0.value.isFinite && $0.value > 0 }, "\(figures)")
  }

  @Test func synthesizedNMEAHasValidChecksums() {
    let text = String(decoding: PositioningBenchmark.nmea(epochs: 0..<2).reduce(Data(), +), as: UTF8.self)
    let sentences = text.split(separator: "\r\n")
    #expect(sentences.count == 6)
    for sentence in sentences {
      let parts = sentence.dropFirst().split(separator: "*")
      let sum = parts[0].utf8.reduce(UInt8(0)) { $0 ^ $1 }
      #expect(String(format: "%02X", sum) == String(parts[1]))
    }
  }
}
