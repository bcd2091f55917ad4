// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing

@testable import PlateReading

/// Ops the shipped models may not use (so the golden files do not cover them), checked on
/// tiny hand-made networks against values worked out by hand (PyTorch semantics, FORMAT.md).
@Suite("Network ops")
struct NetworkOpsTests {
  static func network(
    _ layers: String, outputs: [String], weights: [Float], input: (Int, Int, Int) = (2, 3, 3)
  )
    throws -> NeuralNetwork
  {
    let json = """
      {"format": "chalkline-nn", "version": 1, "name": "t",
       "input": {"channels": \(input.0), "height": 0, "width": 0, "mean": 0, "std": 1},
       "layers": [\(layers)], "outputs": \(outputs), "meta": {}}
      """
    let desc = try JSONDecoder().decode(NetworkDescription.self, from: Data(json.utf8))
    return try NeuralNetwork(description: desc, weights: weights)
  }

  /// Channel 0: 1…9, channel 1: -1…-9 (3×3).
  static let input = Tensor(
    channels: 2, height: 3, width: 3, values: (1...9).map(Float.init) + (1...9).map { -Float($0) })

  @Test("the unpadded max pool gives what the bounds-checked loop gives, to the bit")
  func unpaddedMaxPoolMatchesTheGeneralLoop() {
    var random = SeededGenerator(seed: 11)
    let inShape = Shape(c: 3, h: 9, w: 13)
    let input = (0..<inShape.count).map { _ in Float.random(in: -2...2, using: &random) }
    // The recognizer's 2×2 and 2×1 windows, and the general case.
    for (kh, kw, sh, sw) in [(2, 2, 2, 2), (2, 1, 2, 1), (3, 3, 2, 2), (3, 2, 1, 3)] {
      let outShape = Shape(c: inShape.c, h: (inShape.h - kh) / sh + 1, w: (inShape.w - kw) / sw + 1)
      var reference = [Float](repeating: 0, count: outShape.count)
      for c in 0..<inShape.c {
        for oy in 0..<outShape.h {
          for ox in 0..<outShape.w {
            var m = -Float.infinity
            for y in (oy * sh)..<(oy * sh + kh) {
              for x in (ox * sw)..<(ox * sw + kw) { m = max(m, input[(c * inShape.h + y) * inShape.w + x]) }
            }
            reference[(c * outShape.h + oy) * outShape.w + ox] = m
          }
        }
      }
      var fast = [Float](repeating: .nan, count: outShape.count)
      input.withUnsafeBufferPointer { i in
        fast.withUnsafeMutableBufferPointer { o in
          Kernels.pool(
            i.baseAddress!, inShape, kh: kh, kw: kw, sh: sh, sw: sw, ph: 0, pw: 0, max: true, out: o.baseAddress!,
            outShape)
        }
      }
      #expect(fast.map(\.bitPattern) == reference.map(\.bitPattern), "\(kh)x\(kw) stride \(sh)x\(sw)")
    }
  }

  @Test("im2col's row copies and zero fills handle every length, short and long")
  func shortCopiesAndZeroFills() {
    let source = (0..<600).map(Float.init)
    for count in [0, 1, 7, 8, 9, 15, 16, 17, 31, 255, 256, 257, 299] {
      var copied = [Float](repeating: -1, count: count + 2)
      var strided = copied
      var zeroed = [Float](repeating: 5, count: count + 2)
      source.withUnsafeBufferPointer { s in
        copied.withUnsafeMutableBufferPointer {
          Kernels.copy(from: s.baseAddress! + 1, to: $0.baseAddress! + 1, count: count)
        }
        strided.withUnsafeMutableBufferPointer {
          Kernels.stridedCopy(from: s.baseAddress! + 1, stride: 2, to: $0.baseAddress! + 1, count: count)
        }
      }
      zeroed.withUnsafeMutableBufferPointer { Kernels.zero($0.baseAddress! + 1, count: count) }
      let values: [Float] = (0..<count).map { Float($0 + 1) }
      let everyOther: [Float] = (0..<count).map { Float(2 * $0 + 1) }
      let zeros = [Float](repeating: 0, count: count)
      #expect(copied == [-1] + values + [-1], "copy of \(count)")
      #expect(strided == [-1] + everyOther + [-1], "stride 2 copy of \(count)")
      #expect(zeroed == [5] + zeros + [5], "zero fill of \(count)")
    }
  }

  @Test func depthwiseConvWithPaddingAndLeakyReLU() throws {
    // Per-channel 3×3 kernels: channel 0 all ones, channel 1 the centre tap only; bias 0 / 1.
    let w: [Float] = [Float](repeating: 1, count: 9) + [0, 0, 0, 0, 1, 0, 0, 0, 0] + [0, 1]
    let net = try Self.network(
      """
      {"name": "dw", "op": "conv2d", "in_channels": 2, "out_channels": 2, "kernel": [3, 3], "stride": [1, 1],
       "padding": [1, 1], "groups": 2, "weight_offset": 0, "bias_offset": 18, "activation": "leaky_relu", "slope": 0.5}
      """, outputs: ["dw"], weights: w)
    let out = try #require(try net.run(Self.input)["dw"])
    // Channel 0 centre: sum 1…9 = 45; corner (0,0): 1+2+4+5 = 12.
    #expect(out[0, 1, 1] == 45 && out[0, 0, 0] == 12)
    // Channel 1 centre: -5 + 1 = -4, leaky 0.5 → -2.
    #expect(out[1, 1, 1] == -2)
  }

  @Test func groupedConvWithStride() throws {
    // 2 groups of 1→1 channel, 1×1 kernel, stride 2: picks pixels (0,0),(0,2),(2,0),(2,2) × weight.
    let net = try Self.network(
      """
      {"name": "g", "op": "conv2d", "in_channels": 2, "out_channels": 4, "kernel": [1, 1], "stride": [2, 2],
       "padding": [0, 0], "groups": 2, "weight_offset": 0, "bias_offset": -1, "activation": "relu6"}
      """, outputs: ["g"], weights: [1, 0.5, -1, 2])
    let out = try #require(try net.run(Self.input)["g"])
    #expect(out.channels == 4 && out.height == 2 && out.width == 2)
    #expect(out.values[0..<4] == [1, 3, 6, 6])  // relu6 clips 7, 9
    #expect(out.values[4..<8] == [0.5, 1.5, 3.5, 4.5])
    #expect(out.values[8..<12] == [1, 3, 6, 6])  // -1 × negatives
    #expect(out.values[12..<16] == [0, 0, 0, 0])
  }

  @Test func avgPoolExcludesPaddingAndMaxPoolPadsWithMinusInfinity() throws {
    let net = try Self.network(
      """
      {"name": "avg", "op": "avgpool2d", "kernel": [2, 2], "stride": [2, 2], "padding": [1, 1]},
      {"name": "max", "op": "maxpool2d", "kernel": [2, 2], "stride": [2, 2], "padding": [1, 1], "input": "input"}
      """, outputs: ["avg", "max"], weights: [])
    let out = try net.run(Self.input)
    let avg = try #require(out["avg"])
    let max = try #require(out["max"])
    #expect(avg.height == 2 && avg.width == 2)
    // Windows (padded by 1): {1}, {2,3}, {4,7}, {5,6,8,9}.
    #expect(avg.values[0..<4] == [1, 2.5, 5.5, 7])
    #expect(max.values[4..<8] == [-1, -2, -4, -5])
  }

  @Test func addConcatReluSigmoidUpsampleMeanH() throws {
    let net = try Self.network(
      """
      {"name": "r", "op": "relu"},
      {"name": "s", "op": "sigmoid", "input": "input"},
      {"name": "sum", "op": "add", "inputs": ["r", "input"]},
      {"name": "cat", "op": "concat", "inputs": ["sum", "r"]},
      {"name": "up", "op": "upsample_nearest", "scale": 2, "input": "r"},
      {"name": "mean", "op": "mean_h", "input": "input"},
      {"name": "fc", "op": "linear", "in_features": 2, "out_features": 1, "weight_offset": 0, "bias_offset": 2,
       "activation": "sigmoid", "input": "mean"}
      """, outputs: ["s", "sum", "cat", "up", "mean", "fc"], weights: [1, 1, 0])
    let out = try net.run(Self.input)
    #expect(abs(try #require(out["s"])[0, 0, 0] - 1 / (1 + exp(-1))) < 1e-6)
    let sum = try #require(out["sum"])
    #expect(sum[0, 2, 2] == 18 && sum[1, 0, 0] == -1)
    let cat = try #require(out["cat"])
    #expect(cat.channels == 4 && cat[2, 1, 1] == 5 && cat[3, 1, 1] == 0)
    let up = try #require(out["up"])
    #expect(up.height == 6 && up[0, 5, 5] == 9 && up[0, 0, 1] == 1 && up[0, 2, 2] == 5)
    let mean = try #require(out["mean"])
    #expect(mean.height == 1 && mean.values[0..<3] == [4, 5, 6])
    // Linear over channels: 4 + (-4) = 0 → sigmoid 0.5 for every column.
    #expect(try #require(out["fc"]).values == [0.5, 0.5, 0.5])
  }

  @Test func layersShareMemoryOnlyOnceNothingReadsAnOutput() throws {
    // b is last read by c, so f takes b's block; a is read again by d after f, so f must not take a's.
    let net = try Self.network(
      """
      {"name": "a", "op": "relu"},
      {"name": "b", "op": "add", "inputs": ["a", "input"]},
      {"name": "c", "op": "relu"},
      {"name": "f", "op": "add", "inputs": ["c", "a"]},
      {"name": "d", "op": "concat", "inputs": ["c", "a", "input"]}
      """, outputs: ["f", "d"], weights: [])
    // The memory is shared: f takes b's block (freed after c), so five outputs live in four blocks.
    let plan = Plan.assign(sizes: [18, 18, 18, 18, 54], lastUse: [4, 2, 4, .max, .max])
    #expect(plan.owner == [0, 1, 2, 1, 3] && plan.blocks == [18, 18, 18, 54])
    for _ in 0..<2 {  // the second run reuses the plan's blocks
      let out = try net.run(Self.input)
      let x = Self.input.values
      let a = x.map { max($0, 0) }
      let c = zip(a, x).map { max($0 + $1, 0) }
      #expect(out["f"]?.values == zip(c, a).map { $0 + $1 })
      #expect(out["d"]?.values == c + a + x)
    }
  }

  @Test func aOneChannelConvolutionHasRoomToUnfoldItsInput() throws {
    // groups = in = out = 1 is an ordinary convolution (im2col), not a depthwise one without scratch.
    let net = try Self.network(
      """
      {"name": "c", "op": "conv2d", "in_channels": 1, "out_channels": 1, "kernel": [3, 3], "padding": [1, 1],
       "weight_offset": 0, "bias_offset": -1}
      """, outputs: ["c"], weights: [Float](repeating: 1, count: 9), input: (1, 0, 0))
    let spec = try #require(net.description.layers.first)
    let layer = try CompiledLayer(spec, index: 0, names: ["input": -1], weightCount: 9)
    #expect(try layer.outputShape(inputs: [Shape(c: 1, h: 40, w: 40)]).1 == 9 * 40 * 40)
    let big = Tensor(channels: 1, height: 40, width: 40, values: [Float](repeating: 1, count: 1600))
    let out = try #require(try net.run(big)["c"])
    #expect(out[0, 20, 20] == 9 && out[0, 0, 0] == 4 && out[0, 39, 20] == 6)
  }

  @Test func foldHStacksRowsAsChannels() throws {
    let net = try Self.network(#"{"name": "fold", "op": "fold_h"}"#, outputs: ["fold"], weights: [])
    let out = try #require(try net.run(Self.input)["fold"])
    #expect(out.channels == 6 && out.height == 1 && out.width == 3)
    // Channel c·3 + y is row y of channel c: rows of channel 0 first (1 2 3 | 4 5 6 | 7 8 9), then channel 1.
    #expect(out[1, 0, 0] == 4 && out[2, 0, 2] == 9 && out[3, 0, 0] == -1 && out[5, 0, 1] == -8)
  }

  @Test(arguments: [
    ("unknown op", #"{"name": "x", "op": "softmax"}"#),
    (
      "weights out of range",
      #"{"name": "c", "op": "conv2d", "in_channels": 2, "out_channels": 1, "kernel": [1, 1], "weight_offset": 5, "bias_offset": -1}"#
    ),
    ("unknown input", #"{"name": "r", "op": "relu", "input": "nowhere"}"#),
  ])
  func invalidModelsAreRefused(name: String, layer: String) {
    let error = #expect(throws: PlateReadingError.self) {
      _ = try Self.network(layer, outputs: ["x"], weights: [1, 2])
    }
    #expect(error?.code == .modelInvalid)
  }

  @Test func wrongInputShapeIsRefused() throws {
    let net = try Self.network(#"{"name": "r", "op": "relu"}"#, outputs: ["r"], weights: [])
    #expect(throws: PlateReadingError.self) { _ = try net.run(Tensor(channels: 3, height: 2, width: 2)) }
  }
}
