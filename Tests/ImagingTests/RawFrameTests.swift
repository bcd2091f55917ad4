// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Imaging
import Testing

@Suite("YUYV and GREY frames")
struct RawFrameTests {
  @Test func yuyvTakesTheLumaBytes() throws {
    // Two pixels per 4 bytes: Y0 U Y1 V.
    let bytes: [UInt8] = [10, 128, 20, 128, 30, 100, 40, 200, 50, 0, 60, 255, 70, 1, 80, 2]
    let img = try LumaImage(yuyv: bytes, width: 4, height: 2)
    #expect(img.pixels == [10, 20, 30, 40, 50, 60, 70, 80])
  }

  @Test(arguments: [(4, 2, 15), (3, 2, 12), (0, 2, 0)])
  func yuyvWrongSizeIsRefused(width: Int, height: Int, count: Int) {
    let error = #expect(throws: ImagingError.self) {
      _ = try LumaImage(yuyv: [UInt8](repeating: 0, count: count), width: width, height: height)
    }
    #expect(error?.code == .badFrameSize)
  }

  @Test func greyIsTakenAsIs() throws {
    let img = try LumaImage(grey: [1, 2, 3, 4, 5, 6], width: 3, height: 2)
    #expect(img[2, 1] == 6)
    #expect(throws: ImagingError.self) { _ = try LumaImage(grey: [1, 2, 3], width: 3, height: 2) }
  }
}
