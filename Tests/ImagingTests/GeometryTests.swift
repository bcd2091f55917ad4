// SPDX-License-Identifier: AGPL-3.0-or-later
import Imaging
import Testing

@Suite("Crop, resize and perspective warp")
struct GeometryTests {
  static func gradient(_ w: Int, _ h: Int) -> LumaImage {
    var img = LumaImage(width: w, height: h)
    for y in 0..<h { for x in 0..<w { img[x, y] = UInt8((x + 2 * y) % 256) } }
    return img
  }

  @Test func cropClipsToTheImage() throws {
    let img = Self.gradient(20, 10)
    let c = try img.cropped(to: PixelRect(x: 15, y: 5, width: 10, height: 10))
    #expect(c.width == 5 && c.height == 5)
    #expect(c[0, 0] == img[15, 5])
    #expect(throws: ImagingError.self) { _ = try img.cropped(to: PixelRect(x: 30, y: 0, width: 5, height: 5)) }
  }

  @Test func resizeByTwoAveragesPairs() {
    let img = try! LumaImage(width: 4, height: 2, pixels: [0, 100, 200, 40, 0, 100, 200, 40])
    let half = img.resized(width: 2, height: 1)
    #expect(half.pixels == [50, 120])
    let same = img.resized(width: 4, height: 2)
    #expect(same == img)
  }

  @Test func resizeUpKeepsTheRange() {
    let img = Self.gradient(8, 8)
    let up = img.resized(width: 32, height: 32)
    #expect(up.width == 32 && up.pixels.max()! <= img.pixels.max()!)
  }

  @Test func homographyMapsTheFourCorners() throws {
    let from = [Point2D(x: 0, y: 0), Point2D(x: 10, y: 0), Point2D(x: 10, y: 5), Point2D(x: 0, y: 5)]
    let to = [Point2D(x: 3, y: 4), Point2D(x: 30, y: 8), Point2D(x: 28, y: 20), Point2D(x: 2, y: 15)]
    let t = try PerspectiveTransform(from: from, to: to)
    for (a, b) in zip(from, to) {
      let p = t.apply(a)
      #expect(abs(p.x - b.x) < 1e-9 && abs(p.y - b.y) < 1e-9)
    }
    let line = [Point2D(x: 0, y: 0), Point2D(x: 1, y: 1), Point2D(x: 2, y: 2), Point2D(x: 0, y: 5)]
    #expect(throws: ImagingError.self) { _ = try PerspectiveTransform(from: line, to: to) }
  }

  @Test func axisAlignedWarpEqualsCrop() throws {
    let img = Self.gradient(40, 30)
    let w = try img.warped(Quad(x: 5, y: 7, width: 20, height: 10), width: 20, height: 10)
    let c = try img.cropped(to: PixelRect(x: 5, y: 7, width: 20, height: 10))
    #expect(w == c)
  }

  @Test func warpRectifiesATiltedPlate() throws {
    // Draw a bright parallelogram (a sheared "plate") with a dark vertical bar in its middle.
    var img = LumaImage(width: 120, height: 80, fill: 0)
    let quad = Quad(
      topLeft: Point2D(x: 20, y: 20), topRight: Point2D(x: 100, y: 30),
      bottomRight: Point2D(x: 100, y: 60), bottomLeft: Point2D(x: 20, y: 50))
    for y in 0..<80 {
      for x in 0..<120 {
        let u = (Double(x) + 0.5 - 20) / 80
        let v = (Double(y) + 0.5 - 20 - 10 * u) / 30
        if u >= 0, u <= 1, v >= 0, v <= 1 { img[x, y] = abs(u - 0.5) < 0.05 ? 30 : 220 }
      }
    }
    let out = try img.warped(quad, width: 80, height: 30)
    #expect(out[10, 15] > 200 && out[70, 15] > 200)
    #expect(out[40, 5] < 60 && out[40, 25] < 60)
    #expect(out[2, 2] > 150 && out[77, 27] > 150)
  }
}

@Suite("Anti-aliased downscale")
struct DownscaleTests {
  @Test func exactBlocksAreAveraged() throws {
    // 4×2 → 2×1: blocks {0,100,0,100} and {200,40,200,40}.
    let img = try LumaImage(width: 4, height: 2, pixels: [0, 100, 200, 40, 0, 100, 200, 40])
    #expect(img.downscaled(width: 2, height: 1).pixels == [50, 120])
  }

  @Test func aFineStripePatternTurnsGrey() {
    // 1-pixel stripes shrunk 3×: bilinear alone would alias; block averaging gives mid grey.
    var img = LumaImage(width: 96, height: 48)
    for y in 0..<48 { for x in 0..<96 { img[x, y] = x % 2 == 0 ? 255 : 0 } }
    let small = img.downscaled(width: 32, height: 16)
    #expect(small.width == 32 && small.height == 16)
    #expect(small.pixels.allSatisfy { $0 > 60 && $0 < 200 })
  }

  @Test func upscaleFallsBackToBilinear() {
    let img = LumaImage(width: 4, height: 4, fill: 9)
    #expect(img.downscaled(width: 8, height: 8) == LumaImage(width: 8, height: 8, fill: 9))
  }
}
