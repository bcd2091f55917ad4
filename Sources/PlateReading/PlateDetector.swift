// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
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

/// A detection found again by the detector at a larger scale (``PlateDetector/confirm(_:quad:)``).
public struct PlateConfirmation: Sendable, Equatable {
  /// The plate's corners found on the larger view, in frame pixels.
  public var quad: Quad
  /// The larger view's heat-map peak.
  public var score: Double
  /// The plate's width in the larger view, in detector-input pixels.
  public var plateWidth: Double
}

/// Finds every plate in a luma frame with the shipped centre-point detector (MODEL.md).
///
/// The frame is resized to the model's input width (aspect kept) and padded to its pad
/// multiple; each 3×3 local maximum of the heat map above the threshold is a plate candidate
/// whose centre and corners come from the regression channels. Not thread-safe.
public final class PlateDetector {
  private let network: NeuralNetwork
  private let inputWidth: Int
  private let padMultiple: Int
  private let padValue: Float
  private let stride: Double
  private var lut: [Float]
  /// Peaks below this heat-map value are not plates: the model's own threshold for its heat map
  /// alone (`meta.score_threshold`), used as is when there is no confirmation.
  public var scoreThreshold: Double
  /// With confirmation, peaks from this value up are candidates (0.3, the refinement's own minimum,
  /// below the model's 0.45): a plate seen through a fence or a trailer's mesh peaks low at the first
  /// pass's scale but stands out when looked at closer, and the confirmation drops the many other
  /// low peaks for ~0.5 ms each, less than the recognizer run they cost before.
  public var candidateThreshold = 0.3
  /// The plate width, in detector-input pixels, at which ``confirm(_:quad:)`` looks at a candidate
  /// again (one of ``refinementPlateWidths``, so the refinement reuses the view); `nil`: candidates are
  /// not confirmed and ``scoreThreshold`` alone decides.
  public var confirmationPlateWidth: Double? = 80
  /// A candidate whose larger view peaks below this is not a plate. 0.6: on plates-us-dev the
  /// photos' plates peak at 0.71 and above, nine in ten of the other candidates below 0.6 — among
  /// them a painted unit number and a sign that the text gate let through (`chalkline bench --only
  /// plates` prints both figures; MODEL.md).
  public var confirmationMinimumScore = 0.6
  /// A candidate whose first-pass peak reaches this is a plate even when its larger view peaks
  /// lower (`nil`, the default: every candidate needs the confirmation). Measured and not taken
  /// (`chalkline bench --only plates,patrol --detector-unconfirmed 0.6`): a synthetic plate on a dark
  /// car body (the demo's) peaks at 0.6–0.8 in the first pass and under 0.6 in the larger view in 9
  /// of the 11 frames that film it, but on plates-us-dev the same top-1 with 1.73 plates read a frame
  /// instead of 1.48, and one more false candidate (wrong text) on the seed-7 patrol of real photos.
  public var unconfirmedMinimumScore: Double?
  /// At most this many candidates per frame (the strongest).
  public var maximumPlates = 16
  /// The first pass's threshold: ``candidateThreshold`` with confirmation, else ``scoreThreshold``.
  public var firstPassThreshold: Double {
    confirmationPlateWidth == nil ? scoreThreshold : min(scoreThreshold, candidateThreshold)
  }
  private var tensor: Tensor
  /// The refinement's input, kept apart from the frame's so neither is reallocated each frame.
  private var patchTensor: Tensor

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
    patchTensor = tensor
  }

  /// The plate candidates in `frame`, strongest first; with a ``confirmationPlateWidth``, each is a
  /// plate only if ``confirm(_:quad:)`` finds it again (``PlateReader`` does both).
  public func detect(_ frame: LumaImage) throws(PlateReadingError) -> [PlateDetection] {
    let scale = Double(inputWidth) / Double(frame.width)
    let rh = max(1, Int((Double(frame.height) * scale).rounded()))
    let small = frame.downscaled(width: inputWidth, height: rh)
    let ph = (rh + padMultiple - 1) / padMultiple * padMultiple
    let pw = (inputWidth + padMultiple - 1) / padMultiple * padMultiple
    let (heat, reg) = try run(small, in: &tensor, width: pw, height: ph, x: 0, y: 0)
    return decode(heatmap: heat, regression: reg, scale: scale)
  }

  /// The plate widths, in detector-input pixels, at which ``refine(_:quad:confirmation:)`` looks at a plate again
  /// (empty: no refinement).
  /// Inside the sizes the detector was trained on (18–180 px) and above most first-pass plates
  /// (plates-us-dev's are 25–165 px at 640 wide), where one stride-8 cell is a small part of the plate.
  public var refinementPlateWidths: [Double] = [64, 80, 100]
  /// The patch the refinement runs on, in detector-input pixels (a multiple of 16 each way): room
  /// for the widest refinement plate and a plate height around it.
  public let refinementPatch = (width: 160, height: 96)
  /// A refinement peak below this is not the plate (the first pass's corners stay).
  public var refinementMinimumScore = 0.3

  /// `quad` found again: the detector run on a small patch around the plate at each of
  /// ``refinementPlateWidths``, and the corners of the peaks near the patch centre averaged.
  ///
  /// The first pass sees a 1280-wide frame at half size, where a plate 50–100 px wide spans 3–6
  /// cells of 8 px and a corner one cell off cuts a character or takes in the recess; at a fixed,
  /// larger size the same network places the corners more closely, and the average over three
  /// sizes steadies them. `nil` if no size finds the plate. Costs one small detector run per size
  /// (~0.5 ms each at 160×96).
  /// `confirmation`, the candidate's view at one of the widths, is reused instead of run again.
  public func refine(
    _ frame: LumaImage, quad: Quad, confirmation: PlateConfirmation? = nil
  ) throws(PlateReadingError) -> Quad? {
    var found: [Quad] = []
    for width in refinementPlateWidths {
      if let confirmation, confirmation.plateWidth == width {
        found.append(confirmation.quad)
      } else if let q = try refine(frame, quad: quad, plateWidth: width)?.quad {
        found.append(q)
      }
    }
    guard !found.isEmpty else { return nil }
    let n = Double(found.count)
    func mean(_ corner: (Quad) -> Point2D) -> Point2D {
      let points = found.map(corner)
      return Point2D(x: points.reduce(0) { $0 + $1.x } / n, y: points.reduce(0) { $0 + $1.y } / n)
    }
    return Quad(
      topLeft: mean(\.topLeft), topRight: mean(\.topRight), bottomRight: mean(\.bottomRight),
      bottomLeft: mean(\.bottomLeft))
  }

  /// A candidate from ``detect(_:)`` looked at again on a patch where it is
  /// ``confirmationPlateWidth`` detector pixels wide: its corners and peak there, or `nil` if no peak
  /// near the patch centre reaches ``confirmationMinimumScore`` (not a plate). Without a
  /// confirmation width every candidate stands, as the first pass found it. Costs one small detector
  /// run (~0.5 ms).
  /// `score` is the candidate's first-pass peak: from ``unconfirmedMinimumScore`` up it stands
  /// whatever the larger view says (its corners then stay the first pass's).
  public func confirm(
    _ frame: LumaImage, quad: Quad, score: Double = 0
  ) throws(PlateReadingError)
    -> PlateConfirmation?
  {
    guard let width = confirmationPlateWidth else {
      return PlateConfirmation(quad: quad, score: 1, plateWidth: 0)
    }
    guard let found = try refine(frame, quad: quad, plateWidth: width, minimumScore: confirmationMinimumScore) else {
      if let sure = unconfirmedMinimumScore, score >= sure {
        return PlateConfirmation(quad: quad, score: score, plateWidth: 0)
      }
      return nil
    }
    return PlateConfirmation(quad: found.quad, score: found.score, plateWidth: width)
  }

  /// `quad` found again on a patch where it is `plateWidth` detector pixels wide, with the peak's
  /// score, or `nil` if no peak near the patch centre reaches `minimumScore` (the refinement's by default).
  package func refine(
    _ frame: LumaImage, quad: Quad, plateWidth: Double, minimumScore: Double? = nil
  ) throws(PlateReadingError) -> (quad: Quad, score: Double)? {
    let b = quad.bounds
    let c = quad.center
    guard b.maxX - b.minX >= 1, c.x.isFinite, c.y.isFinite else { return nil }
    let scale = plateWidth / (b.maxX - b.minX)  // patch pixels per frame pixel
    let (pw, ph) = refinementPatch
    // The patch's extent in the frame, clipped to it; padded like the first pass where it leaves the frame.
    let left = c.x - Double(pw) / 2 / scale
    let top = c.y - Double(ph) / 2 / scale
    let x0 = max(0, Int(left.rounded(.down)))
    let y0 = max(0, Int(top.rounded(.down)))
    let x1 = min(frame.width, Int((left + Double(pw) / scale).rounded(.up)))
    let y1 = min(frame.height, Int((top + Double(ph) / scale).rounded(.up)))
    guard x1 - x0 >= 2, y1 - y0 >= 2 else { return nil }
    let rw = max(1, min(4 * pw, Int((Double(x1 - x0) * scale).rounded())))
    let rh = max(1, min(4 * ph, Int((Double(y1 - y0) * scale).rounded())))
    let ox = Int(((Double(x0) - left) * scale).rounded())
    let oy = Int(((Double(y0) - top) * scale).rounded())
    guard let region = try? frame.cropped(to: PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)) else {
      return nil
    }
    let scaled = scale < 1 ? region.downscaled(width: rw, height: rh) : region.resized(width: rw, height: rh)
    let (heat, reg) = try run(scaled, in: &patchTensor, width: pw, height: ph, x: ox, y: oy)
    // The strongest cell whose plate centre lies near the patch centre.
    var best: (score: Float, i: Int, j: Int, cx: Double, cy: Double)?
    for i in 0..<heat.height {
      for j in 0..<heat.width {
        let s = heat.values[i * heat.width + j]
        guard best.map({ s > $0.score }) ?? true else { continue }
        let cx = (Double(j) + Double(reg[0, i, j])) * stride
        let cy = (Double(i) + Double(reg[1, i, j])) * stride
        guard abs(cx - Double(pw) / 2) <= 0.3 * plateWidth, abs(cy - Double(ph) / 2) <= 0.2 * plateWidth else {
          continue
        }
        best = (s, i, j, cx, cy)
      }
    }
    guard let best, Double(best.score) >= minimumScore ?? refinementMinimumScore else { return nil }
    let (i, j, cx, cy) = (best.i, best.j, best.cx, best.cy)
    // Patch pixel -> frame pixel, through the exact scale of the resized region.
    let sx = Double(x1 - x0) / Double(rw)
    let sy = Double(y1 - y0) / Double(rh)
    func corner(_ k: Int) -> Point2D {
      Point2D(
        x: Double(x0) + (cx + Double(reg[2 + 2 * k, i, j]) * stride - Double(ox)) * sx,
        y: Double(y0) + (cy + Double(reg[3 + 2 * k, i, j]) * stride - Double(oy)) * sy)
    }
    let found = Quad(topLeft: corner(0), topRight: corner(1), bottomRight: corner(2), bottomLeft: corner(3))
    return (found, Double(best.score))
  }

  /// Runs the network on `image` placed at (`x`, `y`) in a `width`×`height` input padded with the
  /// model's pad value (parts of `image` outside it are cut off).
  private func run(
    _ image: LumaImage, in tensor: inout Tensor, width pw: Int, height ph: Int, x ox: Int, y oy: Int
  ) throws(PlateReadingError) -> (heat: Tensor, reg: Tensor) {
    if tensor.height != ph || tensor.width != pw {
      tensor = Tensor(channels: 1, height: ph, width: pw)
    }
    let pad = padValue
    let (iw, ih) = (image.width, image.height)
    let xs = max(0, -ox)..<min(iw, pw - ox)
    let ys = max(0, -oy)..<min(ih, ph - oy)
    tensor.values.withUnsafeMutableBufferPointer { dst in
      dst.update(repeating: pad)
      image.pixels.withUnsafeBufferPointer { src in
        lut.withUnsafeBufferPointer { lut in
          for y in ys {
            for x in xs { dst[(y + oy) * pw + x + ox] = lut[Int(src[y * iw + x])] }
          }
        }
      }
    }
    let out = try network.run(tensor)
    guard let heat = out["heatmap"], let reg = out["regression"], reg.channels >= 10 else {
      throw PlateReadingError(.modelInvalid, "The detector model did not return heatmap and regression outputs.")
    }
    return (heat, reg)
  }

  /// The plates in the detector's outputs: each 3×3 local maximum of `heat` at or above
  /// ``firstPassThreshold``, its centre and corners from `reg` (in stride units), divided by `scale`
  /// (detector input pixels per frame pixel); overlapping boxes keep the strongest.
  public func decode(heatmap heat: Tensor, regression reg: Tensor, scale: Double) -> [PlateDetection] {
    let (h, w) = (heat.height, heat.width)
    var found: [PlateDetection] = []
    let v = heat.values
    let threshold = firstPassThreshold
    for i in 0..<h {
      for j in 0..<w {
        let s = v[i * w + j]
        guard Double(s) >= threshold else { continue }
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
