// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import Capture
import Foundation
import Imaging
import PlateReading

/// Reads the generator's ground truth (`truth.jsonl`) instead of running the models, so the
/// pipeline's logic — tracking, positions, zones, the ledger, the vault — is tested on its own.
/// The integration test with the shipped models is `ReplayTests.shippedReader`.
final class TruthReader: FramePlateReader {
  private struct Line: Decodable {
    struct Plate: Decodable {
      var plate: String
      var quad: [[Double]]
    }
    var seq: UInt64
    var plates: [Plate]
  }

  private var truth: [UInt64: [Line.Plate]] = [:]

  init(patrol: URL) throws {
    let text = try String(contentsOf: patrol.appendingPathComponent("truth.jsonl"), encoding: .utf8)
    for line in text.split(separator: "\n") {
      let decoded = try JSONDecoder().decode(Line.self, from: Data(line.utf8))
      truth[decoded.seq] = decoded.plates
    }
  }

  func plates(in luma: LumaImage, of frame: Frame) throws -> [PlateRead] {
    try (truth[frame.sequence] ?? []).compactMap { plate in
      let points = plate.quad.map { Point2D(x: $0[0], y: $0[1]) }
      let quad = Quad(topLeft: points[0], topRight: points[1], bottomRight: points[2], bottomLeft: points[3])
      let bounds = quad.bounds
      // Only plates wholly in the picture are readable.
      guard bounds.minX >= 0, bounds.maxX < Double(luma.width), bounds.maxY < Double(luma.height) else { return nil }
      let rect = PixelRect(
        x: Int(bounds.minX), y: Int(bounds.minY), width: Int(bounds.maxX - bounds.minX),
        height: Int(bounds.maxY - bounds.minY))
      return PlateRead(
        quad: quad, detectionScore: 0.95, text: plate.plate,
        characterConfidences: Array(repeating: 0.95, count: plate.plate.count),
        alternatives: [TextAlternative(text: plate.plate, confidence: 0.9)], crop: try luma.cropped(to: rect))
    }
  }
}
