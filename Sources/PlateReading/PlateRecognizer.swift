// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Imaging

/// Reads the text of one plate: rectifies its quadrilateral to the recognizer's input size
/// and decodes the CTC output. Not thread-safe.
public final class PlateRecognizer {
  private let network: NeuralNetwork
  /// The CTC decoder of the model's charset.
  public let decoder: CTCDecoder
  /// The rectified crop's width (the model's input width).
  public let cropWidth: Int
  /// The rectified crop's height (the model's input height).
  public let cropHeight: Int
  private let lut: [Float]
  private var tensor: Tensor

  /// Creates a recognizer from a loaded network (see ``PlateModels``).
  public init(network: NeuralNetwork) throws(PlateReadingError) {
    let d = network.description
    guard d.input.width > 0, d.input.height > 0, let charset = d.meta["charset"]?.string else {
      throw PlateReadingError(.modelInvalid, "The recognizer model lacks a fixed input size or meta.charset.")
    }
    self.network = network
    decoder = CTCDecoder(charset: charset, blank: Int(d.meta["blank"]?.number ?? 0))
    cropWidth = d.input.width
    cropHeight = d.input.height
    lut = (0..<256).map { (Float($0) / 255 - d.input.mean) / d.input.std }
    tensor = Tensor(channels: 1, height: cropHeight, width: cropWidth)
  }

  /// The plate inside `quad` of `frame`, rectified to the recognizer's input size.
  public func rectify(_ frame: LumaImage, quad: Quad) throws(PlateReadingError) -> LumaImage {
    do {
      return try frame.warped(quad, width: cropWidth, height: cropHeight)
    } catch {
      throw PlateReadingError(.badInput, "The plate corners cannot be rectified.", cause: error)
    }
  }

  /// Reads a crop already rectified to `cropWidth`×`cropHeight`.
  public func recognize(crop: LumaImage, alternatives: Int = 10) throws(PlateReadingError) -> CTCResult {
    decoder.decode(try probabilities(crop: crop), top: alternatives)
  }

  /// The per-column class probabilities (`[T][classes]`) of a crop already rectified to
  /// `cropWidth`×`cropHeight`: the network and a softmax, no decoding.
  public func probabilities(crop: LumaImage) throws(PlateReadingError) -> [[Double]] {
    guard crop.width == cropWidth, crop.height == cropHeight else {
      throw PlateReadingError(
        .badInput, "The recognizer takes \(cropWidth)x\(cropHeight) crops, got \(crop.width)x\(crop.height).")
    }
    tensor.values.withUnsafeMutableBufferPointer { dst in
      crop.pixels.withUnsafeBufferPointer { src in
        for i in 0..<src.count { dst[i] = lut[Int(src[i])] }
      }
    }
    let out = try network.run(tensor)
    guard let logits = out["logits"] ?? out.values.first else {
      throw PlateReadingError(.modelInvalid, "The recognizer model returned no output.")
    }
    return decoder.probabilities(logits: logits)
  }
}
