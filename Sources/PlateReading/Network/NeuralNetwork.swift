// SPDX-License-Identifier: AGPL-3.0-or-later
import CBLAS
import ChalklineModel
import Foundation

/// Runs a chalkline-nn model (tools/train/FORMAT.md) on the CPU, batch 1.
///
/// Buffers for every layer are allocated once per input size and reused for every run, so a
/// steady stream of same-sized frames allocates nothing but the returned output arrays; a layer's
/// output shares its memory with earlier outputs that no later layer reads (see ``Plan``). Not
/// thread-safe: give each thread its own network.
public final class NeuralNetwork {
  /// The model's description.
  public let description: NetworkDescription
  private let weights: UnsafeMutableBufferPointer<Float>
  private let layers: [CompiledLayer]
  private let outputIndices: [Int]
  /// The last layer that reads each layer's output (`Int.max`: a model output, read after the run),
  /// for the plans' shared memory.
  private let lastUse: [Int]
  /// The buffers of the input sizes seen most recently (a reader alternates between a frame's size
  /// and the refinement patch's), at most `maximumPlans`.
  private var plans: [Plan] = []
  private let maximumPlans = 2

  /// Loads `NAME.json` and `NAME.bin` from a folder.
  public convenience init(directory: URL, name: String) throws(PlateReadingError) {
    let json = directory.appendingPathComponent("\(name).json")
    let bin = directory.appendingPathComponent("\(name).bin")
    let jsonData: Data
    let binData: Data
    do {
      jsonData = try Data(contentsOf: json)
      binData = try Data(contentsOf: bin)
    } catch {
      throw PlateReadingError(
        .modelMissing, "The model files \(name).json/.bin are missing from \(directory.path); reinstall chalkline.",
        cause: error)
    }
    let desc: NetworkDescription
    do {
      desc = try JSONDecoder().decode(NetworkDescription.self, from: jsonData)
    } catch {
      throw PlateReadingError(.modelInvalid, "\(json.path) is not a chalkline-nn model description.", cause: error)
    }
    guard binData.count % 4 == 0 else {
      throw PlateReadingError(.modelInvalid, "\(bin.path) is not a whole number of float32 values.")
    }
    let floats = binData.withUnsafeBytes { raw in
      (0..<(binData.count / 4)).map {
        Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
      }
    }
    try self.init(description: desc, weights: floats)
  }

  /// Builds a network from a parsed description and its parameters.
  public init(description: NetworkDescription, weights: [Float]) throws(PlateReadingError) {
    guard description.format == "chalkline-nn", description.version == 1 else {
      throw PlateReadingError(
        .modelInvalid,
        "Model \(description.name) is format \(description.format) version \(description.version); this build reads chalkline-nn version 1."
      )
    }
    CBLAS_setSingleThreaded()
    self.description = description
    let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, weights.count))
    _ = buffer.initialize(from: weights)
    self.weights = buffer
    do {
      var names: [String: Int] = ["input": -1]
      var compiled: [CompiledLayer] = []
      for (i, spec) in description.layers.enumerated() {
        let layer = try CompiledLayer(spec, index: i, names: names, weightCount: weights.count)
        compiled.append(layer)
        names[spec.name] = i
      }
      layers = compiled
      outputIndices = try description.outputs.map { name throws(PlateReadingError) in
        guard let i = names[name], i >= 0 else {
          throw PlateReadingError(.modelInvalid, "Model \(description.name) names an unknown output layer '\(name)'.")
        }
        return i
      }
      var lastUse = Array(compiled.indices)
      for (i, layer) in compiled.enumerated() {
        for j in layer.inputIndices where j >= 0 { lastUse[j] = max(lastUse[j], i) }
      }
      for i in outputIndices { lastUse[i] = Int.max }
      self.lastUse = lastUse
    } catch {
      buffer.deallocate()
      throw error
    }
  }

  deinit { weights.deallocate() }

  /// Runs the model on `input` (already normalised) and returns the output tensors by layer name.
  public func run(_ input: Tensor) throws(PlateReadingError) -> [String: Tensor] {
    let inShape = Shape(c: input.channels, h: input.height, w: input.width)
    let spec = description.input
    guard input.channels == spec.channels, spec.height == 0 || input.height == spec.height,
      spec.width == 0 || input.width == spec.width
    else {
      throw PlateReadingError(
        .badInput,
        "Model \(description.name) takes \(spec.channels)x\(spec.height)x\(spec.width) (0 = any), got \(input.channels)x\(input.height)x\(input.width)."
      )
    }
    let plan = try self.plan(for: inShape)
    input.values.withUnsafeBufferPointer { plan.input.update(from: $0.baseAddress!, count: inShape.count) }
    for (i, layer) in layers.enumerated() {
      layer.run(plan: plan, index: i, weights: UnsafePointer(weights.baseAddress!))
    }
    var result: [String: Tensor] = [:]
    for (name, i) in zip(description.outputs, outputIndices) {
      let s = plan.shapes[i]
      result[name] = Tensor(
        channels: s.c, height: s.h, width: s.w,
        values: Array(UnsafeBufferPointer(start: plan.buffers[i], count: s.count)))
    }
    return result
  }

  private func plan(for shape: Shape) throws(PlateReadingError) -> Plan {
    if let i = plans.firstIndex(where: { $0.inputShape == shape }) {
      let plan = plans.remove(at: i)
      plans.append(plan)
      return plan
    }
    var shapes: [Shape] = []
    var scratch = 0
    for layer in layers {
      let (s, need) = try layer.outputShape(inputs: layer.inputIndices.map { $0 < 0 ? shape : shapes[$0] })
      guard s.c > 0, s.h > 0, s.w > 0 else {
        throw PlateReadingError(.badInput, "Input \(shape.h)x\(shape.w) is too small for layer \(layer.name).")
      }
      shapes.append(s)
      scratch = max(scratch, need)
    }
    let p = Plan(inputShape: shape, shapes: shapes, lastUse: lastUse, scratch: scratch)
    if plans.count >= maximumPlans { plans.removeFirst() }
    plans.append(p)
    return p
  }
}

/// Every buffer one input size needs.
///
/// A layer's output shares its memory with outputs of earlier layers that no later layer reads (in
/// layer order, the smallest free block that fits, else a new one), so a plan holds about the few
/// largest outputs alive at once rather than every layer's: on plates-us-dev `chalkline read-plates`
/// peaks at ~90 MB instead of ~102 MB (MODEL.md). A layer never writes into a block one of its inputs is in
/// (those are freed after it runs), and the model's outputs keep theirs.
final class Plan {
  let inputShape: Shape
  let shapes: [Shape]
  let input: UnsafeMutablePointer<Float>
  /// Each layer's output buffer (several layers may share one block).
  let buffers: [UnsafeMutablePointer<Float>]
  let scratch: UnsafeMutablePointer<Float>
  private let blocks: [UnsafeMutablePointer<Float>]

  /// `lastUse[i]`: the last layer that reads layer `i`'s output (`Int.max`: a model output).
  init(inputShape: Shape, shapes: [Shape], lastUse: [Int], scratch: Int) {
    self.inputShape = inputShape
    self.shapes = shapes
    input = .allocate(capacity: inputShape.count)
    let assignment = Self.assign(sizes: shapes.map(\.count), lastUse: lastUse)
    let blocks = assignment.blocks.map { UnsafeMutablePointer<Float>.allocate(capacity: max(1, $0)) }
    self.blocks = blocks
    buffers = assignment.owner.map { blocks[$0] }
    self.scratch = .allocate(capacity: max(1, scratch))
  }

  /// Which block each layer's output lives in (`owner`), and each block's size in floats: in layer
  /// order, an output takes the smallest free block that fits, else a new block; after layer `i`
  /// the blocks of the outputs it read last (its own, if nothing reads it) are free.
  static func assign(sizes: [Int], lastUse: [Int]) -> (owner: [Int], blocks: [Int]) {
    var blocks: [Int] = []
    var free: [Int] = []
    var owner: [Int] = []
    for (i, need) in sizes.enumerated() {
      if let f = free.indices.filter({ blocks[free[$0]] >= need }).min(by: { blocks[free[$0]] < blocks[free[$1]] }) {
        owner.append(free.remove(at: f))
      } else {
        blocks.append(need)
        owner.append(blocks.count - 1)
      }
      for j in 0...i where lastUse[j] == i { free.append(owner[j]) }
    }
    return (owner, blocks)
  }

  deinit {
    input.deallocate()
    for b in blocks { b.deallocate() }
    scratch.deallocate()
  }

  func buffer(_ i: Int) -> UnsafeMutablePointer<Float> { i < 0 ? input : buffers[i] }
  func shape(_ i: Int) -> Shape { i < 0 ? inputShape : shapes[i] }
}
