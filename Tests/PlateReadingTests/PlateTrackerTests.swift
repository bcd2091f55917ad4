// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Imaging
import PlateReading
import Testing

/// The tracker on generated drive-by sequences (reads are made up here: this tests the logic).
@Suite("Plate tracker")
struct PlateTrackerTests {
  static let t0 = Date(timeIntervalSince1970: 1_780_000_000)
  static let crop = LumaImage(width: 4, height: 2)

  /// A read of `text` centred at (x, y), `width` wide, with a horizontal foreshortening `squeeze`.
  static func read(
    _ text: String, x: Double, y: Double = 400, width: Double = 110, confidence: Double = 0.9,
    alternatives: [(String, Double)] = [], squeeze: Double = 1
  ) -> PlateRead {
    let w = width * squeeze
    let h = width / 2
    // A plate turning away: its far edge shorter than its near edge.
    let skew = (1 - squeeze) * h * 0.5
    let quad = Quad(
      topLeft: Point2D(x: x - w / 2, y: y - h / 2), topRight: Point2D(x: x + w / 2, y: y - h / 2 + skew),
      bottomRight: Point2D(x: x + w / 2, y: y + h / 2 - skew), bottomLeft: Point2D(x: x - w / 2, y: y + h / 2))
    let alts =
      [TextAlternative(text: text, confidence: confidence)]
      + alternatives.map { TextAlternative(text: $0.0, confidence: $0.1) }
    return PlateRead(
      quad: quad, detectionScore: 0.95, text: text, characterConfidences: [], alternatives: alts, crop: crop)
  }

  static func at(_ frame: Int, fps: Double = 10) -> Date { t0.addingTimeInterval(Double(frame) / fps) }

  @Test func carEntersCrossesAndLeaves() {
    let tracker = PlateTracker()
    var sightings: [TrackedPlate] = []
    // 1280 px wide frame, the car moves right to left at 40 px/frame; reads only while in view.
    for f in 0..<60 {
      let x = 1350 - 40 * Double(f)
      var reads: [PlateRead] = []
      if x > 40 && x < 1240 {
        // Two frames misread 8 as B, one misreads 0 as O (which is the same plate).
        let text = f == 12 || f == 20 ? "7BCD123" : f == 15 ? "7OCD123" : "70CD123"
        let conf = abs(x - 640) < 200 ? 0.95 : 0.6
        reads.append(
          Self.read(text, x: x, confidence: text.contains("B") ? 0.5 : conf, alternatives: [("7BCD123", 0.1)]))
      }
      sightings += tracker.update(time: Self.at(f), reads: reads)
    }
    sightings += tracker.finish()
    #expect(sightings.count == 1)
    let s = try! #require(sightings.first)
    #expect(PlateCanonicalForm.canonical(s.text) == "70CD123")
    #expect(s.alternatives.contains { $0.text == "7BCD123" })
    #expect(s.alternatives.first!.confidence > 0.6)
    #expect(s.readCount == 30)
    #expect(s.firstSeen == Self.at(3) && s.lastSeen == Self.at(32))
    // The evidence is a confident frame from the middle of the frame.
    #expect(abs(s.evidence.quad.center.x - 640) < 200)
    #expect(s.evidence.text == "70CD123")
  }

  @Test func twoCarsAtOnce() {
    let tracker = PlateTracker()
    var sightings: [TrackedPlate] = []
    for f in 0..<40 {
      var reads: [PlateRead] = []
      let a = 1200 - 30 * Double(f)
      let b = 1200 - 30 * Double(f) + 520
      if a > 60 { reads.append(Self.read(f % 7 == 3 ? "ABC1235" : "ABC1234", x: a, y: 420)) }
      if b > 60 && b < 1220 { reads.append(Self.read(f % 5 == 1 ? "8XY2Z1" : "8XYZ21", x: b, y: 380, width: 90)) }
      sightings += tracker.update(time: Self.at(f), reads: reads.shuffled())
    }
    sightings += tracker.finish()
    #expect(sightings.count == 2)
    #expect(Set(sightings.map(\.text)) == ["ABC1234", "8XYZ21"])
  }

  @Test func plateAtAGrowingAngle() {
    let tracker = PlateTracker()
    var sightings: [TrackedPlate] = []
    // The plate stays near the middle while the view turns: it gets narrower and harder to read.
    for f in 0..<25 {
      let squeeze = 1 - Double(f) * 0.035
      let wrong = f > 15 ? "K5L3D8" : "K5L308"
      let conf = 0.95 * squeeze * squeeze
      reads: do {
        let r = Self.read(
          wrong, x: 600 + 6 * Double(f), confidence: conf, alternatives: [("K5L308", 0.2)], squeeze: squeeze)
        sightings += tracker.update(time: Self.at(f), reads: [r])
      }
    }
    sightings += tracker.finish()
    #expect(sightings.count == 1)
    let s = try! #require(sightings.first)
    #expect(s.text == "K5L308")
    #expect(s.alternatives.map(\.text).contains("K5L3D8"))
    // Evidence comes from the early, frontal frames.
    #expect(s.evidenceTime <= Self.at(3))
  }

  @Test func aGapSplitsTwoCarsAtOneSpot() {
    let tracker = PlateTracker()
    var sightings: [TrackedPlate] = []
    for f in 0..<10 { sightings += tracker.update(time: Self.at(f), reads: [Self.read("ABC123", x: 640)]) }
    // 3 s with nothing in view, then another car at the same place.
    for f in 40..<50 { sightings += tracker.update(time: Self.at(f), reads: [Self.read("XYZ789", x: 640)]) }
    #expect(sightings.map(\.text) == ["ABC123"])
    sightings += tracker.finish()
    #expect(sightings.map(\.text) == ["ABC123", "XYZ789"])
    #expect(sightings[0].id != sightings[1].id)
  }

  @Test func oneFrameFalseReadIsDropped() {
    let tracker = PlateTracker()
    _ = tracker.update(time: Self.at(0), reads: [Self.read("QQ11", x: 100, confidence: 0.3)])
    #expect(tracker.finish().isEmpty)
  }

  @Test(
    "A car read in one frame only is a sighting when that read is sure enough",
    arguments: [
      (0.9, 0.6 as Double?, true), (0.61, 0.6, true), (0.59, 0.6, false), (0.3, 0.6, false), (0.9, nil, false),
    ])
  func oneFrameRead(confidence: Double, minimum: Double?, kept: Bool) {
    var configuration = PlateTracker.Configuration()
    configuration.fewReadsMinimumConfidence = minimum
    let tracker = PlateTracker(configuration: configuration)
    _ = tracker.update(
      time: Self.at(0), reads: [Self.read("RKW1199", x: 100, confidence: confidence, alternatives: [("RKV1199", 0.05)])]
    )
    let sightings = tracker.finish()
    #expect(sightings.map(\.text) == (kept ? ["RKW1199"] : []))
    #expect(sightings.allSatisfy { $0.readCount == 1 })
  }

  @Test func differentTextFarAwayStartsANewTrack() {
    let tracker = PlateTracker()
    _ = tracker.update(time: Self.at(0), reads: [Self.read("ABC123", x: 400)])
    _ = tracker.update(time: Self.at(1), reads: [Self.read("ZZZ999", x: 550)])
    #expect(tracker.openTracks == 2)
  }
}
