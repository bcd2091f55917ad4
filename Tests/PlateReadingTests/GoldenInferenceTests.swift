// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Foundation
import PlateReading
import Testing

/// The Swift runtime must reproduce the training framework's outputs on the golden inputs
/// that tools/train writes beside every shipped model (FORMAT.md: 1e-3 absolute or relative).
@Suite("Golden inference")
struct GoldenInferenceTests {
  struct Golden: Decodable {
    struct Case: Decodable {
      var input: TensorJSON
      var outputs: [String: TensorJSON]
    }
    var cases: [Case]
    /// Says whether inputs are raw luma in [0,1] (then the runtime's normalisation applies).
    var inputIs: String?

    enum CodingKeys: String, CodingKey {
      case cases
      case inputIs = "input_is"
    }
  }

  /// `[C, H, W, [floats…]]`.
  struct TensorJSON: Decodable {
    var tensor: Tensor
    init(from decoder: any Decoder) throws {
      var c = try decoder.unkeyedContainer()
      let ch = try c.decode(Int.self)
      let h = try c.decode(Int.self)
      let w = try c.decode(Int.self)
      let values = try c.decode([Float].self)
      tensor = Tensor(channels: ch, height: h, width: w, values: values)
    }
  }

  @Test(arguments: ["detector", "recognizer"])
  func swiftRuntimeMatchesPyTorch(model: String) async throws {
    let dir = PlateModels.resourceDirectory
    let data = try Data(contentsOf: dir.appendingPathComponent("\(model).golden.json"))
    let golden = try JSONDecoder().decode(Golden.self, from: data)
    #expect(!golden.cases.isEmpty)
    // The network runs on a thread of its own, off the cooperative pool; the checks follow here.
    let outputs = try await offPool {
      let net = try NeuralNetwork(directory: dir, name: model)
      return try golden.cases.map { c in
        var input = c.input.tensor
        if golden.inputIs?.hasPrefix("luma in [0,1]") ?? false {
          let (mean, std) = (net.description.input.mean, net.description.input.std)
          input.values = input.values.map { ($0 - mean) / std }
        }
        return try net.run(input)
      }
    }
    for (n, (c, out)) in zip(golden.cases, outputs).enumerated() {
      for (name, expected) in c.outputs {
        let got = try #require(out[name], "case \(n): output \(name) missing")
        #expect(got.channels == expected.tensor.channels && got.height == expected.tensor.height)
        #expect(got.width == expected.tensor.width)
        var worst: Float = 0
        var bad = 0
        for (a, e) in zip(got.values, expected.tensor.values) {
          let err = abs(a - e)
          if err > 1e-3 && err > 1e-3 * abs(e) { bad += 1 }
          worst = max(worst, err)
        }
        #expect(bad == 0, "case \(n) \(model).\(name): \(bad) values off, worst abs error \(worst)")
      }
    }
  }
}
