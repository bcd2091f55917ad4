// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import ChalklineTestKit
import Foundation
import Imaging
import Testing

@Suite("JPEG decode and encode")
struct JPEGTests {
  /// A smooth test pattern with a dark bar, so JPEG round trips stay close.
  static func pattern(width: Int = 64, height: Int = 48) -> LumaImage {
    var img = LumaImage(width: width, height: height)
    for y in 0..<height {
      for x in 0..<width { img[x, y] = UInt8((x * 255) / (width - 1)) }
    }
    for y in 16..<32 { for x in 8..<56 { img[x, y] = 20 } }
    return img
  }

  @Test func lumaRoundTrip() throws {
    let img = Self.pattern()
    let jpeg = try JPEGEncoder().encode(img, quality: 95)
    #expect(jpeg.starts(with: [0xFF, 0xD8]))
    let back = try JPEGDecoder().decodeLuma(jpeg)
    #expect(back.width == 64 && back.height == 48)
    let maxDiff = zip(img.pixels, back.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
    #expect(maxDiff <= 24)
    #expect(back[30, 24] < 40)
  }

  @Test func rgbRoundTripAndLuma() throws {
    var px = [UInt8]()
    for _ in 0..<(32 * 32) { px += [200, 40, 40] }
    let rgb = try RGBImage(width: 32, height: 32, pixels: px)
    let jpeg = try JPEGEncoder().encode(rgb, quality: 95)
    let back = try JPEGDecoder().decodeRGB(jpeg)
    #expect(back.width == 32 && back.height == 32)
    #expect(abs(Int(back.pixels[0]) - 200) < 12 && abs(Int(back.pixels[1]) - 40) < 12)
    let luma = try JPEGDecoder().decodeLuma(jpeg)
    #expect(abs(Int(luma[16, 16]) - Int(back.luma[16, 16])) <= 3)
  }

  @Test func decodeTimeScaling() throws {
    let jpeg = try JPEGEncoder().encode(Self.pattern(width: 128, height: 96))
    let half = try JPEGDecoder().decodeLuma(jpeg, scale: .half)
    #expect(half.width == 64 && half.height == 48)
    let quarter = try JPEGDecoder().decodeLuma(jpeg, scale: .quarter, fastDCT: true)
    #expect(quarter.width == 32 && quarter.height == 24)
  }

  @Test func realPhotoDecodes() throws {
    let url = try #require(TestPaths.sharedFile("data/plates-us-dev/0b86cecf-67d1-4fc0-87c9-b36b0ee228bb.jpg"))
    let bytes = [UInt8](try Data(contentsOf: url))
    let decoder = try JPEGDecoder()
    #expect(try decoder.header(of: bytes) == JPEGHeader(width: 1920, height: 1080))
    let img = try decoder.decodeLuma(bytes)
    #expect(img.width == 1920 && img.height == 1080)
    let mean = img.pixels.reduce(0) { $0 + Int($1) } / img.pixels.count
    #expect(mean > 20 && mean < 235)
  }

  @Test(arguments: [
    ("garbage", [UInt8](repeating: 0x41, count: 100)),
    ("empty", [UInt8]()),
    ("header only", [0xFF, 0xD8, 0xFF, 0xE0]),
  ])
  func corruptBytesAreTypedErrors(name: String, bytes: [UInt8]) throws {
    let decoder = try JPEGDecoder()
    #expect {
      _ = try decoder.decodeLuma(bytes)
    } throws: { error in
      (error as? ImagingError)?.code == .corruptJPEG
    }
  }

  @Test func truncatedJPEGIsTypedError() throws {
    let jpeg = try JPEGEncoder().encode(Self.pattern(width: 256, height: 256), quality: 90)
    let truncated = Array(jpeg.prefix(jpeg.count / 2))
    let decoder = try JPEGDecoder()
    let error = #expect(throws: ImagingError.self) { _ = try decoder.decodeLuma(truncated) }
    #expect(error?.code == .corruptJPEG)
    #expect(error?.cause != nil)
    // The decoder stays usable after a bad frame.
    #expect(try decoder.decodeLuma(jpeg).width == 256)
  }
}
