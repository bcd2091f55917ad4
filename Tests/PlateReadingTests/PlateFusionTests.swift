// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Imaging
import PlateReading
import Testing

/// The tracker's fusion of a car's frames on generated recognizer outputs: column probabilities
/// made up here for a known text, with chosen characters misread in chosen frames.
@Suite("Plate fusion")
struct PlateFusionTests {
  static let decoder = CTCDecoder(charset: "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
  static let t0 = Date(timeIntervalSince1970: 1_780_000_000)

  /// A recognizer output for `text` over 32 columns: each character two columns (then a blank
  /// column) sure of it with probability 0.9, except the positions in `misread`, whose columns give
  /// `(other character, its probability)` and the rest to the true one.
  static func posteriors(_ text: String, misread: [Int: (Character, Double)] = [:]) -> CTCPosteriors {
    let charset = decoder.charset
    let classes = charset.count
    func column(_ mass: [Character: Double]) -> [Double] {
      let rest = 1 - mass.values.reduce(0, +)
      var c = [Double](repeating: rest / Double(classes - mass.count), count: classes)
      for (ch, p) in mass { c[ch == "-" ? 0 : charset.firstIndex(of: ch)!] = p }
      return c
    }
    var columns: [[Double]] = [column(["-": 0.95])]
    for (i, ch) in text.enumerated() {
      let mass: [Character: Double]
      if let (other, p) = misread[i] { mass = [other: p, ch: 0.95 - p] } else { mass = [ch: 0.9] }
      columns += [column(mass), column(mass), column(["-": 0.95])]
    }
    while columns.count < 32 { columns.append(column(["-": 0.95])) }
    return CTCPosteriors(columns, decoder: decoder)
  }

  /// A read as the reader makes it: its alternatives are the beam search's over the posteriors.
  static func read(_ posteriors: CTCPosteriors, x: Double) -> PlateRead {
    let probabilities = (0..<posteriors.columns).map { t in (0..<posteriors.classes).map { posteriors[t, $0] } }
    let result = decoder.decode(probabilities, top: 10)
    let quad = Quad(
      topLeft: Point2D(x: x - 60, y: 385), topRight: Point2D(x: x + 60, y: 385),
      bottomRight: Point2D(x: x + 60, y: 415), bottomLeft: Point2D(x: x - 60, y: 415))
    return PlateRead(
      quad: quad, detectionScore: 0.9, text: result.text, characterConfidences: result.characterConfidences,
      alternatives: result.alternatives, crop: LumaImage(width: 4, height: 2), posteriors: [posteriors])
  }

  @Test func forwardProbabilityOfACertainTextIsOne() {
    let columns: [[Double]] = [[0, 1] + [Double](repeating: 0, count: 35), [1] + [Double](repeating: 0, count: 36)]
    let p = CTCPosteriors(columns, decoder: Self.decoder)
    #expect(abs(p.logProbability(of: "0")) < 1e-9)
    #expect(p.logProbability(of: "1") == -.infinity)
    #expect(p.logProbability(of: "00") == -.infinity)  // a repeat needs a blank between: three columns
  }

  @Test func forwardProbabilitySumsEveryAlignment() {
    // Two columns over {blank, A}: "A" is A-A, A-blank, blank-A; "" is blank-blank.
    let decoder = CTCDecoder(charset: "-A")
    let p = CTCPosteriors([[0.3, 0.7], [0.6, 0.4]], decoder: decoder)
    #expect(abs(exp(p.logProbability(of: "A")) - (0.7 * 0.4 + 0.7 * 0.6 + 0.3 * 0.4)) < 1e-6)
    #expect(abs(exp(p.logProbability(of: "AA")) - 0) < 1e-12)
    #expect(abs(exp(p.logProbability(of: "")) - 0.3 * 0.6) < 1e-6)
  }

  /// A character that only some frames read right: each row is a car's frames, with the
  /// misreads of each frame; the fused text is the truth although most frames' best paths differ
  /// from it (a vote of finished texts would choose wrong).
  @Test(
    arguments: [
      // The last 8 read as B in two frames of three.
      ("4ABC128", [[6: ("B", 0.6)], [:], [6: ("B", 0.55)]]),
      // Each frame misreads a different character: no frame's best path is the truth.
      ("7XKD305", [[1: ("K", 0.6)], [4: ("8", 0.6)], [6: ("S", 0.6)]]),
      // 0/Q and U/V, the reader's commonest confusions, in four frames of five.
      ("8UV0Q21", [[3: ("Q", 0.55)], [1: ("V", 0.6)], [:], [3: ("Q", 0.6)], [2: ("U", 0.52)]]),
    ] as [(String, [[Int: (Character, Double)]])])
  func aCharacterOnlySomeFramesReadRight(truth: String, frames: [[Int: (Character, Double)]]) {
    let reads = frames.enumerated().map { i, misread in
      Self.read(Self.posteriors(truth, misread: misread), x: 900 - 40 * Double(i))
    }
    let bestPaths = reads.map(\.text)
    #expect(bestPaths.filter { $0 == truth }.count * 2 < bestPaths.count, "the frames' own reads mostly miss")
    let fused = PlateTracker.fuse(reads, prior: nil, count: 10)
    #expect(fused.first?.text == truth)
    #expect((fused.first?.confidence ?? 0) > 0.5)
    #expect(fused.map(\.confidence) == fused.map(\.confidence).sorted(by: >))
    #expect(fused.reduce(0) { $0 + $1.confidence } <= 1 + 1e-9)

    // The tracker does the same for a car filmed in these frames (either fusion makes one sighting).
    for fusion in PlateTracker.Fusion.allCases {
      var configuration = PlateTracker.Configuration()
      configuration.fusion = fusion
      let tracker = PlateTracker(configuration: configuration)
      var sightings: [TrackedPlate] = []
      for (i, read) in reads.enumerated() {
        sightings += tracker.update(time: Self.t0.addingTimeInterval(Double(i) / 10), reads: [read])
      }
      sightings += tracker.finish()
      #expect(sightings.count == 1)
      if fusion == .posteriors { #expect(sightings.first?.text == truth) }
    }
  }

  @Test func aSureFrameOutweighsTwoUnsureOnes() {
    // Two frames barely prefer S for the 5; one is sure of the 5.
    let truth = "6TRJ512"
    let reads = [
      Self.read(Self.posteriors(truth, misread: [4: ("S", 0.5)]), x: 900),
      Self.read(Self.posteriors(truth, misread: [4: ("S", 0.5)]), x: 860),
      Self.read(Self.posteriors(truth), x: 820),
    ]
    #expect(PlateTracker.fuse(reads, prior: nil, count: 5).first?.text == truth)
  }

  @Test func readsWithoutPosteriorsFuseTheirAlternatives() {
    let crop = LumaImage(width: 4, height: 2)
    let quad = Quad(
      topLeft: Point2D(x: 0, y: 0), topRight: Point2D(x: 100, y: 0), bottomRight: Point2D(x: 100, y: 50),
      bottomLeft: Point2D(x: 0, y: 50))
    func read(_ alternatives: [(String, Double)]) -> PlateRead {
      PlateRead(
        quad: quad, detectionScore: 0.9, text: alternatives[0].0, characterConfidences: [],
        alternatives: alternatives.map { TextAlternative(text: $0.0, confidence: $0.1) }, crop: crop)
    }
    let fused = PlateTracker.fuse(
      [read([("ABC123", 0.5), ("A8C123", 0.4)]), read([("A8C123", 0.6), ("ABC123", 0.3)]), read([("A8C123", 0.7)])],
      prior: nil, count: 5)
    #expect(fused.first?.text == "A8C123")
    #expect(fused.map(\.text).contains("ABC123"))
  }

  @Test func theSharpestCropIsTheEvidence() {
    // The same plate, once sharp and once blurred: the sharp one is kept though both read alike.
    var sharp = LumaImage(width: 128, height: 32)
    for y in 0..<32 { for x in 0..<128 { sharp.pixels[y * 128 + x] = (x / 4 + y / 8) % 2 == 0 ? 30 : 220 } }
    var blurred = sharp
    for y in 1..<31 {
      for x in 1..<127 {
        var sum = 0
        for dy in -1...1 { for dx in -1...1 { sum += Int(sharp.pixels[(y + dy) * 128 + x + dx]) } }
        blurred.pixels[y * 128 + x] = UInt8(sum / 9)
      }
    }
    #expect(PlateTracker.sharpness(of: sharp) > 1.5 * PlateTracker.sharpness(of: blurred))
    let tracker = PlateTracker()
    var first = Self.read(Self.posteriors("4ABC128"), x: 900)
    first.crop = blurred
    var second = Self.read(Self.posteriors("4ABC128"), x: 860)
    second.crop = sharp
    _ = tracker.update(time: Self.t0, reads: [first])
    _ = tracker.update(time: Self.t0.addingTimeInterval(0.1), reads: [second])
    let sighting = tracker.finish().first
    #expect(sighting?.evidence.crop == sharp)
  }
}
