// SPDX-License-Identifier: AGPL-3.0-or-later
import Imaging

/// One plate found in a frame.
public struct PlateDetection: Sendable, Equatable {
  /// The plate's corners in frame pixels (TL, TR, BR, BL).
  public var quad: Quad
  /// The detector's heat-map peak in [0, 1].
  public var score: Double
  /// The axis-aligned box around the corners, in frame pixels.
  public var box: (minX: Double, minY: Double, maxX: Double, maxY: Double) { quad.bounds }

  /// Creates a detection.
  public init(quad: Quad, score: Double) {
    self.quad = quad
    self.score = score
  }

  public static func == (a: PlateDetection, b: PlateDetection) -> Bool { a.quad == b.quad && a.score == b.score }
}

/// Finds every plate in a luma frame with the shipped centre-point detector (MODEL.md).
///
/// The frame is resized to the model's input width (aspect kept) and padded to its pad
/// multiple; each 3×3 local maximum of the heat map above the threshold is a plate whose
/// centre and corners come from the regression channels. Not thread-safe.
public final class PlateDetector {
  private let network: NeuralNetwork
  private let inputWidth: Int
  private let padMultiple: Int
  private let padValue: Float
  private let stride: Double
  private var lut: [Float]
  /// Peaks below this heat-map value are not plates.
  public var scoreThreshold: Double
  /// At most this many plates per frame (the strongest).
  public var maximumPlates = 8
  private var tensor: Tensor

  /// Creates a detector from a loaded network (see ``PlateModels``).
  public init(network: NeuralNetwork) throws(PlateReadingError) {
    let meta = network.description.meta
    guard let w = meta["input_width"]?.number, let s = meta["stride"]?.number else {
      throw PlateReadingError(.modelInvalid, "The detector model lacks meta.input_width or meta.stride.")
    }
    self.network = network
    inputWidth = Int(w)
    stride = s
    padMultiple = Int(meta["pad_multiple"]?.number ?? 1)
    let input = network.description.input
    padValue = (Float(meta["pad_value"]?.number ?? 0) - input.mean) / input.std
    scoreThreshold = meta["score_threshold"]?.number ?? 0.3
    lut = (0..<256).map { (Float($0) / 255 - input.mean) / input.std }
    tensor = Tensor(channels: 1, height: 1, width: 1)
  }

  /// The plates in `frame`, strongest first.
  public func detect(_ frame: LumaImage) throws(PlateReadingError) -> [PlateDetection] {
    let scale = Double(inputWidth) / Double(frame.width)
    let rh = max(1, Int((Double(frame.height) * scale).rounded()))
    let small = frame.downscaled(width: inputWidth, height: rh)
    let ph = (rh + padMultiple - 1) / padMultiple * padMultiple
    let pw = (inputWidth + padMultiple - 1) / padMultiple * padMultiple
    if tensor.height != ph || tensor.width != pw {
      tensor = Tensor(channels: 1, height: ph, width: pw)
    }
    let pad = padValue
    tensor.values.withUnsafeMutableBufferPointer { dst in
      dst.update(repeating: pad)
      small.pixels.withUnsafeBufferPointer { src in
        lut.withUnsafeBufferPointer { lut in
          for y in 0..<rh {
            for x in 0..<inputWidth { dst[y * pw + x] = lut[Int(src[y * inputWidth + x])] }
          }
        }
      }
    }
    let out = try network.run(tensor)
    guard let heat = out["heatmap"], let reg = out["regression"], reg.channels >= 10 else {
      throw PlateReadingError(.modelInvalid, "The detector model did not return heatmap and regression outputs.")
    }
    return decode(heatmap: heat, regression: reg, scale: scale)
  }

  /// The plates in the detector's outputs: each 3×3 local maximum of `heat` at or above the
  /// threshold, its centre and corners from `reg` (in stride units), divided by `scale`
  /// (detector input pixels per frame pixel); overlapping boxes keep the strongest.
  public func decode(heatmap heat: Tensor, regression reg: Tensor, scale: Double) -> [PlateDetection] {
    let (h, w) = (heat.height, heat.width)
    var found: [PlateDetection] = []
    let v = heat.values
    for i in 0..<h {
      for j in 0..<w {
        let s = v[i * w + j]
        guard Double(s) >= scoreThreshold else { continue }
        var isPeak = true
        for di in -1...1 where isPeak {
          for dj in -1...1 where !(di == 0 && dj == 0) {
            let (y, x) = (i + di, j + dj)
            guard y >= 0, y < h, x >= 0, x < w else { continue }
            // Ties go to the first cell in scan order, so a flat top gives one plate.
            let n = v[y * w + x]
            if n > s || (n == s && (di < 0 || (di == 0 && dj < 0))) {
              isPeak = false
              break
            }
          }
        }
        guard isPeak else { continue }
        let cx = (Double(j) + Double(reg[0, i, j])) * stride
        let cy = (Double(i) + Double(reg[1, i, j])) * stride
        func corner(_ k: Int) -> Point2D {
          Point2D(
            x: (cx + Double(reg[2 + 2 * k, i, j]) * stride) / scale,
            y: (cy + Double(reg[3 + 2 * k, i, j]) * stride) / scale)
        }
        let quad = Quad(topLeft: corner(0), topRight: corner(1), bottomRight: corner(2), bottomLeft: corner(3))
        found.append(PlateDetection(quad: quad, score: Double(s)))
      }
    }
    found.sort { $0.score > $1.score }
    var kept: [PlateDetection] = []
    for d in found where kept.count < maximumPlates {
      if !kept.contains(where: { Self.iou($0.box, d.box) > 0.3 }) { kept.append(d) }
    }
    return kept
  }

  /// Intersection over union of two axis-aligned boxes.
  public static func iou(
    _ a: (minX: Double, minY: Double, maxX: Double, maxY: Double),
    _ b: (minX: Double, minY: Double, maxX: Double, maxY: Double)
  ) -> Double {
    let iw = max(0, min(a.maxX, b.maxX) - max(a.minX, b.minX))
    let ih = max(0, min(a.maxY, b.maxY) - max(a.minY, b.minY))
    let inter = iw * ih
    let union = (a.maxX - a.minX) * (a.maxY - a.minY) + (b.maxX - b.minX) * (b.maxY - b.minY) - inter
    return union > 0 ? inter / union : 0
  }
}
