// SPDX-License-Identifier: AGPL-3.0-or-later
import CBLAS
import Foundation

/// A CHW shape.
struct Shape: Equatable, Sendable {
  var c: Int
  var h: Int
  var w: Int
  var count: Int { c * h * w }
}

/// The activation applied after a conv2d or linear layer.
enum Activation: Equatable, Sendable {
  case none, relu, relu6, sigmoid
  case leakyReLU(Float)

  /// Applies the activation to `n` values in place.
  func apply(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
    switch self {
    case .none: break
    // Branch-free loops, so the compiler vectorises them.
    case .relu: for i in 0..<n { p[i] = max(p[i], 0) }
    case .relu6: for i in 0..<n { p[i] = min(6, max(0, p[i])) }
    case .sigmoid: Kernels.sigmoid(p, n)
    case .leakyReLU(let s): for i in 0..<n { p[i] = max(p[i], 0) + min(p[i], 0) * s }
    }
  }
}

/// The numeric kernels of the chalkline-nn ops, on raw CHW float buffers (batch 1).
enum Kernels {
  static func sigmoid(_ p: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { p[i] = 1 / (1 + expf(-p[i])) }
  }

  /// Unfolds `cin` channels of `input` (shape `inShape`, starting at channel `c0`) into the
  /// `(cin*kh*kw) × (oh*ow)` matrix a convolution multiplies (zero padding).
  static func im2col(
    _ input: UnsafePointer<Float>, _ inShape: Shape, c0: Int, cin: Int, kh: Int, kw: Int, sh: Int, sw: Int,
    ph: Int, pw: Int, oh: Int, ow: Int, into col: UnsafeMutablePointer<Float>
  ) {
    let (h, w) = (inShape.h, inShape.w)
    var row = 0
    for c in c0..<(c0 + cin) {
      let plane = input + c * h * w
      for ki in 0..<kh {
        for kj in 0..<kw {
          let dst = col + row * oh * ow
          // Output columns whose input column is inside the image: 0 <= ox*sw - pw + kj < w.
          let oxStart = max(0, (pw - kj + sw - 1) / sw)
          let oxEnd = min(ow, max(0, (w - 1 + pw - kj) / sw + 1))
          for oy in 0..<oh {
            let iy = oy * sh - ph + ki
            let d = dst + oy * ow
            if iy < 0 || iy >= h || oxStart >= oxEnd {
              zero(d, count: ow)
              continue
            }
            if oxStart > 0 { zero(d, count: oxStart) }
            if oxEnd < ow { zero(d + oxEnd, count: ow - oxEnd) }
            let src = plane + iy * w - pw + kj
            if sw == 1 {
              copy(from: src + oxStart, to: d + oxStart, count: oxEnd - oxStart)
            } else {
              stridedCopy(from: src + oxStart * sw, stride: sw, to: d + oxStart, count: oxEnd - oxStart)
            }
          }
          row += 1
        }
      }
    }
  }

  /// Copies `count` floats. im2col copies one short row (10–160 floats) at a time, thousands of
  /// times a network run, where a call to `memmove` costs more than the copy: short rows are copied
  /// here eight floats at a time.
  @inline(__always)
  static func copy(from src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
    guard count < 256 else {
      dst.update(from: src, count: count)
      return
    }
    var i = 0
    while i &+ 8 <= count {
      let v = UnsafeRawPointer(src + i).loadUnaligned(as: SIMD8<Float>.self)
      UnsafeMutableRawPointer(dst + i).storeBytes(of: v, as: SIMD8<Float>.self)
      i &+= 8
    }
    while i < count {
      dst[i] = src[i]
      i &+= 1
    }
  }

  /// Sets `count` floats to zero: im2col's padding, one or two floats at a row's ends, or a row.
  @inline(__always)
  static func zero(_ dst: UnsafeMutablePointer<Float>, count: Int) {
    guard count < 256 else {
      dst.update(repeating: 0, count: count)
      return
    }
    var i = 0
    while i &+ 8 <= count {
      UnsafeMutableRawPointer(dst + i).storeBytes(of: SIMD8<Float>(repeating: 0), as: SIMD8<Float>.self)
      i &+= 8
    }
    while i < count {
      dst[i] = 0
      i &+= 1
    }
  }

  /// `count` values `stride` apart from `src`, packed into `dst`: the strided convolutions' im2col rows,
  /// where the bounds were checked once by the caller (wrapping arithmetic, and a loop the compiler
  /// specializes for the detector's stride 2).
  @inline(__always)
  static func stridedCopy(from src: UnsafePointer<Float>, stride: Int, to dst: UnsafeMutablePointer<Float>, count: Int)
  {
    var i = 0
    if stride == 2 {
      while i < count {
        dst[i] = src[i &<< 1]
        i &+= 1
      }
    } else {
      while i < count {
        dst[i] = src[i &* stride]
        i &+= 1
      }
    }
  }

  /// Adds `bias[c]` to every value of channel `c` and applies `activation`, in one pass per channel.
  static func biasActivation(
    _ p: UnsafeMutablePointer<Float>, channels: Int, plane n: Int, bias: UnsafePointer<Float>?, _ activation: Activation
  ) {
    for c in 0..<channels {
      let q = p + c * n
      let b = bias?[c] ?? 0
      switch activation {
      case .relu: for i in 0..<n { q[i] = max(q[i] + b, 0) }
      case .none: if b != 0 { for i in 0..<n { q[i] += b } }
      default:
        if b != 0 { for i in 0..<n { q[i] += b } }
        activation.apply(q, n)
      }
    }
  }

  /// out[M×N] = a[M×K] · b[K×N] (row-major), via OpenBLAS; a tiny K (a first layer on one
  /// channel: K = 9) is done here in cache-sized column blocks, where sgemm's packing costs more
  /// than the arithmetic.
  static func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
  ) {
    if k <= 16 {
      smallKGemm(m: m, n: n, k: k, a: a, b: b, out: out)
      return
    }
    cblas_sgemm(
      CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(n), 0, out,
      Int32(n))
  }

  static func smallKGemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>
  ) {
    let block = 512
    var start = 0
    while start < n {
      let len = min(block, n - start)
      for row in 0..<m {
        let o = out + row * n + start
        let w = a + row * k
        let w0 = w[0]
        let b0 = b + start
        for i in 0..<len { o[i] = w0 * b0[i] }
        for t in 1..<max(1, k) {
          let wt = w[t]
          let bt = b + t * n + start
          for i in 0..<len { o[i] += wt * bt[i] }
        }
      }
      start += len
    }
  }

  /// Depthwise convolution (groups == in == out channels), computed directly.
  static func depthwise(
    _ input: UnsafePointer<Float>, _ inShape: Shape, weights: UnsafePointer<Float>, kh: Int, kw: Int, sh: Int, sw: Int,
    ph: Int, pw: Int, out: UnsafeMutablePointer<Float>, _ outShape: Shape
  ) {
    let (h, w, oh, ow) = (inShape.h, inShape.w, outShape.h, outShape.w)
    for c in 0..<inShape.c {
      let plane = input + c * h * w
      let k = weights + c * kh * kw
      let o = out + c * oh * ow
      o.update(repeating: 0, count: oh * ow)
      for ki in 0..<kh {
        for kj in 0..<kw {
          let wv = k[ki * kw + kj]
          let oxStart = max(0, (pw - kj + sw - 1) / sw)
          let oxEnd = min(ow, max(0, (w - 1 + pw - kj) / sw + 1))
          guard oxStart < oxEnd else { continue }
          for oy in 0..<oh {
            let iy = oy * sh - ph + ki
            if iy < 0 || iy >= h { continue }
            let src = plane + iy * w - pw + kj
            let d = o + oy * ow
            for ox in oxStart..<oxEnd { d[ox] += wv * src[ox * sw] }
          }
        }
      }
    }
  }

  /// Max or average pooling (floor mode; max pads with -inf, average excludes the padding).
  static func pool(
    _ input: UnsafePointer<Float>, _ inShape: Shape, kh: Int, kw: Int, sh: Int, sw: Int, ph: Int, pw: Int,
    max isMax: Bool, out: UnsafeMutablePointer<Float>, _ outShape: Shape
  ) {
    let (h, w, oh, ow) = (inShape.h, inShape.w, outShape.h, outShape.w)
    if isMax && ph == 0 && pw == 0 && (oh - 1) * sh + kh <= h && (ow - 1) * sw + kw <= w {
      unpaddedMaxPool(input, inShape, kh: kh, kw: kw, sh: sh, sw: sw, out: out, outShape)
      return
    }
    for c in 0..<inShape.c {
      let plane = input + c * h * w
      let o = out + c * oh * ow
      for oy in 0..<oh {
        let y0 = max(0, oy * sh - ph)
        let y1 = min(h, oy * sh - ph + kh)
        for ox in 0..<ow {
          let x0 = max(0, ox * sw - pw)
          let x1 = min(w, ox * sw - pw + kw)
          if isMax {
            var m = -Float.infinity
            for y in y0..<y1 { for x in x0..<x1 { m = Swift.max(m, plane[y * w + x]) } }
            o[oy * ow + ox] = m
          } else {
            var s: Float = 0
            for y in y0..<y1 { for x in x0..<x1 { s += plane[y * w + x] } }
            o[oy * ow + ox] = s / Float(Swift.max(1, (y1 - y0) * (x1 - x0)))
          }
        }
      }
    }
  }

  /// Max pooling whose every window lies inside the input (no padding, floor mode): no bounds per
  /// output, and the recognizer's 2×2 and 2×1 windows unrolled. The maximum is taken in the same
  /// order as in ``pool(_:_:kh:kw:sh:sw:ph:pw:max:out:_:)``, from -∞, row by row, so the result is
  /// the same to the bit.
  static func unpaddedMaxPool(
    _ input: UnsafePointer<Float>, _ inShape: Shape, kh: Int, kw: Int, sh: Int, sw: Int,
    out: UnsafeMutablePointer<Float>, _ outShape: Shape
  ) {
    let (h, w, oh, ow) = (inShape.h, inShape.w, outShape.h, outShape.w)
    for c in 0..<inShape.c {
      let plane = input + c &* h &* w
      let o = out + c &* oh &* ow
      for oy in 0..<oh {
        let top = plane + oy &* sh &* w
        let row = o + oy &* ow
        var ox = 0
        switch (kh, kw) {
        case (2, 2):
          let bottom = top + w
          while ox < ow {
            let x = ox &* sw
            var m = Swift.max(-Float.infinity, top[x])
            m = Swift.max(m, top[x &+ 1])
            m = Swift.max(m, bottom[x])
            row[ox] = Swift.max(m, bottom[x &+ 1])
            ox &+= 1
          }
        case (2, 1):
          let bottom = top + w
          while ox < ow {
            let x = ox &* sw
            row[ox] = Swift.max(Swift.max(-Float.infinity, top[x]), bottom[x])
            ox &+= 1
          }
        default:
          while ox < ow {
            var m = -Float.infinity
            var p = top + ox &* sw
            for _ in 0..<kh {
              for x in 0..<kw { m = Swift.max(m, p[x]) }
              p += w
            }
            row[ox] = m
            ox &+= 1
          }
        }
      }
    }
  }

  /// Nearest-neighbour upsampling by an integer factor.
  static func upsampleNearest(
    _ input: UnsafePointer<Float>, _ inShape: Shape, scale s: Int, out: UnsafeMutablePointer<Float>
  ) {
    let (h, w) = (inShape.h, inShape.w)
    let ow = w * s
    for c in 0..<inShape.c {
      let plane = input + c * h * w
      let o = out + c * h * s * ow
      for y in 0..<h {
        let row = o + y * s * ow
        for x in 0..<w {
          let v = plane[y * w + x]
          for k in 0..<s { row[x * s + k] = v }
        }
        for k in 1..<max(1, s) { (row + k * ow).update(from: row, count: ow) }
      }
    }
  }

  /// Mean over the height axis: C×H×W → C×1×W.
  static func meanH(_ input: UnsafePointer<Float>, _ inShape: Shape, out: UnsafeMutablePointer<Float>) {
    let (h, w) = (inShape.h, inShape.w)
    for c in 0..<inShape.c {
      let plane = input + c * h * w
      let o = out + c * w
      o.update(repeating: 0, count: w)
      for y in 0..<h { for x in 0..<w { o[x] += plane[y * w + x] } }
      let inv = 1 / Float(h)
      for x in 0..<w { o[x] *= inv }
    }
  }
}
