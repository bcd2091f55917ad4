// SPDX-License-Identifier: AGPL-3.0-or-later
import PlateReading
import Testing

@Suite("CTC decoding")
struct CTCDecoderTests {
  let decoder = CTCDecoder(charset: "-AB1")

  /// One frame that is `p` sure of class `k` (the rest shared).
  func frame(_ k: Int, _ p: Double = 0.9) -> [Double] {
    (0..<4).map { $0 == k ? p : (1 - p) / 3 }
  }

  @Test func bestPathMergesRepeatsAndDropsBlanks() {
    // A A - A B B - 1  →  "AAB1"
    let probs = [frame(1), frame(1), frame(0), frame(1), frame(2), frame(2), frame(0), frame(3, 0.6)]
    let r = decoder.decode(probs)
    #expect(r.text == "AAB1")
    #expect(r.characterConfidences.count == 4)
    #expect(abs(r.characterConfidences[3] - 0.6) < 1e-9)
    #expect(r.alternatives.first?.text == "AAB1")
  }

  @Test func alternativesAreRankedAndSumBelowOne() {
    // An uncertain last character: B or 1.
    let probs = [frame(1), frame(0), frame(2), frame(0), [0.05, 0.05, 0.5, 0.4]]
    let r = decoder.decode(probs, top: 5)
    let texts = r.alternatives.map(\.text)
    #expect(texts.prefix(2) == ["AB", "AB1"] || texts.prefix(2) == ["ABB", "AB"] || texts.contains("AB1"))
    #expect(r.alternatives.map(\.confidence) == r.alternatives.map(\.confidence).sorted(by: >))
    #expect(r.alternatives.reduce(0) { $0 + $1.confidence } <= 1 + 1e-9)
  }

  @Test func beamProbabilityOfACertainPathIsOne() {
    let probs = [[0, 1, 0, 0], [1, 0, 0, 0], [0, 1, 0, 0.0]]
    let r = decoder.decode(probs)
    #expect(r.text == "AA")
    #expect(abs(r.alternatives[0].confidence - 1) < 1e-12)
  }

  @Test func softmaxOfLogits() {
    let logits = Tensor(channels: 4, height: 1, width: 2, values: [0, 0, 10, 0, 0, 10, 0, 0])
    let p = decoder.probabilities(logits: logits)
    #expect(p.count == 2)
    #expect(p[0][1] > 0.99 && p[1][2] > 0.99)
  }
}
