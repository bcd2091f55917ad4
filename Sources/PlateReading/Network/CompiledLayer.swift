// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// One validated layer, ready to run against a ``Plan``'s buffers.
struct CompiledLayer {
  enum Op {
    case conv(Conv)
    case pool(window: Window, max: Bool)
    case relu, sigmoid, add, concat, meanH, foldH
    case upsample(Int)
    case linear(inFeatures: Int, outFeatures: Int, weight: Int, bias: Int, activation: Activation)
  }

  struct Window {
    var kh, kw, sh, sw, ph, pw: Int
  }

  struct Conv {
    var cin, cout, groups: Int
    var window: Window
    var weight, bias: Int
    var activation: Activation
  }

  let name: String
  let op: Op
  let inputIndices: [Int]

  init(_ l: NetworkDescription.Layer, index: Int, names: [String: Int], weightCount: Int) throws(PlateReadingError) {
    name = l.name
    func bad(_ why: String) -> PlateReadingError {
      PlateReadingError(.modelInvalid, "Layer \(l.name) (\(l.op)) of the model is invalid: \(why).")
    }
    func ref(_ n: String) throws(PlateReadingError) -> Int {
      guard let i = names[n] else { throw bad("it reads '\(n)', which is not an earlier layer") }
      return i
    }
    func pair(_ v: [Int]?, _ field: String, default d: [Int]? = nil) throws(PlateReadingError) -> (Int, Int) {
      guard let v = v ?? d, v.count == 2, v[0] >= 0, v[1] >= 0 else { throw bad("\(field) must be two numbers") }
      return (v[0], v[1])
    }
    func params(_ offset: Int?, _ count: Int, _ field: String) throws(PlateReadingError) -> Int {
      guard let offset else { throw bad("\(field) is missing") }
      if offset == -1 && field == "bias_offset" { return -1 }
      guard offset >= 0, offset + count <= weightCount else {
        throw bad("\(field) \(offset)+\(count) lies outside the \(weightCount) weights")
      }
      return offset
    }
    func activation(_ a: String?) throws(PlateReadingError) -> Activation {
      switch a ?? "none" {
      case "none": return .none
      case "relu": return .relu
      case "relu6": return .relu6
      case "sigmoid": return .sigmoid
      case "leaky_relu": return .leakyReLU(l.slope ?? 0.01)
      case let other: throw bad("unknown activation \(other)")
      }
    }
    let previous = index - 1 < 0 ? -1 : index - 1
    let single = try l.input.map { n throws(PlateReadingError) in try ref(n) } ?? previous

    switch l.op {
    case "conv2d":
      guard let cin = l.inChannels, let cout = l.outChannels, cin > 0, cout > 0 else {
        throw bad("in_channels/out_channels missing")
      }
      let groups = l.groups ?? 1
      guard groups > 0, cin % groups == 0, cout % groups == 0 else {
        throw bad("groups \(groups) do not divide channels")
      }
      let (kh, kw) = try pair(l.kernel, "kernel")
      let (sh, sw) = try pair(l.stride, "stride", default: [1, 1])
      let (ph, pw) = try pair(l.padding, "padding", default: [0, 0])
      guard kh > 0, kw > 0, sh > 0, sw > 0 else { throw bad("kernel and stride must be positive") }
      let w = try params(l.weightOffset, cout * (cin / groups) * kh * kw, "weight_offset")
      let b = try params(l.biasOffset ?? -1, cout, "bias_offset")
      op = .conv(
        Conv(
          cin: cin, cout: cout, groups: groups, window: Window(kh: kh, kw: kw, sh: sh, sw: sw, ph: ph, pw: pw),
          weight: w, bias: b, activation: try activation(l.activation)))
      inputIndices = [single]
    case "maxpool2d", "avgpool2d":
      let (kh, kw) = try pair(l.kernel, "kernel")
      let (sh, sw) = try pair(l.stride, "stride", default: l.kernel)
      let (ph, pw) = try pair(l.padding, "padding", default: [0, 0])
      guard kh > 0, kw > 0, sh > 0, sw > 0 else { throw bad("kernel and stride must be positive") }
      op = .pool(window: Window(kh: kh, kw: kw, sh: sh, sw: sw, ph: ph, pw: pw), max: l.op == "maxpool2d")
      inputIndices = [single]
    case "relu", "sigmoid", "mean_h", "fold_h":
      switch l.op {
      case "relu": op = .relu
      case "sigmoid": op = .sigmoid
      case "mean_h": op = .meanH
      default: op = .foldH
      }
      inputIndices = [single]
    case "upsample_nearest":
      guard let s = l.scale, s >= 1 else { throw bad("scale must be a positive integer") }
      op = .upsample(s)
      inputIndices = [single]
    case "add", "concat":
      guard let ins = l.inputs, ins.count >= (l.op == "add" ? 2 : 1) else { throw bad("inputs missing") }
      inputIndices = try ins.map { n throws(PlateReadingError) in try ref(n) }
      op = l.op == "add" ? .add : .concat
    case "linear":
      guard let fin = l.inFeatures, let fout = l.outFeatures, fin > 0, fout > 0 else {
        throw bad("in_features/out_features missing")
      }
      let w = try params(l.weightOffset, fin * fout, "weight_offset")
      let b = try params(l.biasOffset ?? -1, fout, "bias_offset")
      op = .linear(inFeatures: fin, outFeatures: fout, weight: w, bias: b, activation: try activation(l.activation))
      inputIndices = [single]
    default:
      throw bad("unknown op")
    }
  }

  /// The output shape for these input shapes, and the scratch floats the layer needs.
  func outputShape(inputs: [Shape]) throws(PlateReadingError) -> (Shape, Int) {
    let s = inputs[0]
    func bad(_ why: String) -> PlateReadingError {
      PlateReadingError(.badInput, "Layer \(name) cannot take its input: \(why).")
    }
    switch op {
    case .conv(let c):
      guard s.c == c.cin else { throw bad("it has \(s.c) channels, the layer expects \(c.cin)") }
      let w = c.window
      let oh = (s.h + 2 * w.ph - w.kh) / w.sh + 1
      let ow = (s.w + 2 * w.pw - w.kw) / w.sw + 1
      let pointwise = w.kh == 1 && w.kw == 1 && w.sh == 1 && w.sw == 1 && w.ph == 0 && w.pw == 0
      let depthwise = c.groups == c.cin && c.groups == c.cout && c.groups > 1
      let scratch = pointwise || depthwise ? 0 : (c.cin / c.groups) * w.kh * w.kw * max(0, oh) * max(0, ow)
      return (Shape(c: c.cout, h: oh, w: ow), scratch)
    case .pool(let w, _):
      return (Shape(c: s.c, h: (s.h + 2 * w.ph - w.kh) / w.sh + 1, w: (s.w + 2 * w.pw - w.kw) / w.sw + 1), 0)
    case .relu, .sigmoid:
      return (s, 0)
    case .meanH:
      return (Shape(c: s.c, h: 1, w: s.w), 0)
    case .foldH:
      return (Shape(c: s.c * s.h, h: 1, w: s.w), 0)
    case .upsample(let k):
      return (Shape(c: s.c, h: s.h * k, w: s.w * k), 0)
    case .add:
      guard inputs.allSatisfy({ $0 == s }) else { throw bad("add needs inputs of one shape") }
      return (s, 0)
    case .concat:
      guard inputs.allSatisfy({ $0.h == s.h && $0.w == s.w }) else { throw bad("concat needs inputs of one size") }
      return (Shape(c: inputs.reduce(0) { $0 + $1.c }, h: s.h, w: s.w), 0)
    case .linear(let fin, let fout, _, _, _):
      guard s.c == fin else { throw bad("it has \(s.c) features, the layer expects \(fin)") }
      return (Shape(c: fout, h: s.h, w: s.w), 0)
    }
  }

  func run(plan: Plan, index: Int, weights: UnsafePointer<Float>) {
    let out = plan.buffers[index]
    let outShape = plan.shapes[index]
    let inIndex = inputIndices[0]
    let input = UnsafePointer(plan.buffer(inIndex))
    let inShape = plan.shape(inIndex)
    switch op {
    case .conv(let c):
      let w = c.window
      let n = outShape.h * outShape.w
      if c.groups == c.cin && c.groups == c.cout && c.groups > 1 {
        Kernels.depthwise(
          input, inShape, weights: weights + c.weight, kh: w.kh, kw: w.kw, sh: w.sh, sw: w.sw, ph: w.ph, pw: w.pw,
          out: out, outShape)
      } else if w.kh == 1 && w.kw == 1 && w.sh == 1 && w.sw == 1 && w.ph == 0 && w.pw == 0 {
        let gi = c.cin / c.groups
        let go = c.cout / c.groups
        for g in 0..<c.groups {
          Kernels.gemm(
            m: go, n: n, k: gi, a: weights + c.weight + g * go * gi, b: input + g * gi * n, out: out + g * go * n)
        }
      } else {
        let gi = c.cin / c.groups
        let go = c.cout / c.groups
        let k = gi * w.kh * w.kw
        for g in 0..<c.groups {
          Kernels.im2col(
            input, inShape, c0: g * gi, cin: gi, kh: w.kh, kw: w.kw, sh: w.sh, sw: w.sw, ph: w.ph, pw: w.pw,
            oh: outShape.h, ow: outShape.w, into: plan.scratch)
          Kernels.gemm(
            m: go, n: n, k: k, a: weights + c.weight + g * go * k, b: plan.scratch, out: out + g * go * n)
        }
      }
      Kernels.biasActivation(
        out, channels: c.cout, plane: n, bias: c.bias >= 0 ? weights + c.bias : nil, c.activation)
    case .pool(let w, let isMax):
      Kernels.pool(
        input, inShape, kh: w.kh, kw: w.kw, sh: w.sh, sw: w.sw, ph: w.ph, pw: w.pw, max: isMax, out: out, outShape)
    case .relu:
      out.update(from: input, count: outShape.count)
      Activation.relu.apply(out, outShape.count)
    case .sigmoid:
      out.update(from: input, count: outShape.count)
      Kernels.sigmoid(out, outShape.count)
    case .meanH:
      Kernels.meanH(input, inShape, out: out)
    case .foldH:
      // Channel c, row y becomes channel c·H + y: in C×H×W order that is the same sequence of floats.
      out.update(from: input, count: outShape.count)
    case .upsample(let k):
      Kernels.upsampleNearest(input, inShape, scale: k, out: out)
    case .add:
      out.update(from: input, count: outShape.count)
      for j in inputIndices.dropFirst() {
        let other = plan.buffer(j)
        for i in 0..<outShape.count { out[i] += other[i] }
      }
    case .concat:
      var offset = 0
      for j in inputIndices {
        let count = plan.shape(j).count
        (out + offset).update(from: plan.buffer(j), count: count)
        offset += count
      }
    case .linear(let fin, let fout, let weight, let bias, let activation):
      let n = outShape.h * outShape.w
      Kernels.gemm(m: fout, n: n, k: fin, a: weights + weight, b: input, out: out)
      Kernels.biasActivation(out, channels: fout, plane: n, bias: bias >= 0 ? weights + bias : nil, activation)
    }
  }
}
