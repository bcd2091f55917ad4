// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation
import Imaging
import PlateReading

/// Cuts a sighting's evidence out of its best frame: the plate, and the vehicle around it.
///
/// It keeps the last few frames as captured (bounded: `capacity` frames), because the tracker
/// decides which frame was best only after the car has left the picture.
struct EvidenceCropper {
  private var recent: [(time: Date, jpeg: [UInt8])] = []
  private let capacity: Int
  private let decoder: JPEGDecoder
  private let encoder: JPEGEncoder

  init(capacity: Int = 90) throws {
    self.capacity = capacity
    decoder = try JPEGDecoder()
    encoder = try JPEGEncoder()
  }

  mutating func remember(time: Date, jpeg: [UInt8]) {
    recent.append((time, jpeg))
    if recent.count > capacity { recent.removeFirst(recent.count - capacity) }
  }

  /// Whether any frame is kept (none when the camera streams raw frames).
  var keepsFrames: Bool { !recent.isEmpty }

  /// Evidence from the rectified plate crop alone, for frames that were not kept (raw YUYV/GREY).
  func plateOnly(_ crop: LumaImage) throws -> (plate: Data, vehicle: Data) {
    let plate = Data(try encoder.encode(crop, quality: 92))
    return (plate, plate)
  }

  /// The plate crop and the vehicle crop as JPEG, from the frame the sighting's best read came from.
  func crops(for read: PlateRead, at time: Date) throws -> (plate: Data, vehicle: Data) {
    guard
      let frame = recent.last(where: { $0.time == time })
        ?? recent.min(by: { abs($0.time.timeIntervalSince(time)) < abs($1.time.timeIntervalSince(time)) })
    else { throw ImagingError(.badGeometry, "no frame kept for the sighting's evidence") }
    let image = try decoder.decodeRGB(frame.jpeg)
    let bounds = read.quad.bounds
    let width = bounds.maxX - bounds.minX
    let height = bounds.maxY - bounds.minY
    let plateRect = PixelRect(
      x: Int(bounds.minX - width * 0.1), y: Int(bounds.minY - height * 0.2), width: Int(width * 1.2),
      height: Int(height * 1.4)
    ).clipped(width: image.width, height: image.height)
    let vehicleRect = PixelRect(
      x: Int(bounds.minX - width * 2.5), y: Int(bounds.minY - height * 5), width: Int(width * 6),
      height: Int(height * 7)
    ).clipped(width: image.width, height: image.height)
    let plate = try encoder.encode(image.cropped(to: plateRect), quality: 92)
    let vehicle = try encoder.encode(image.cropped(to: vehicleRect), quality: 85)
    return (Data(plate), Data(vehicle))
  }
}
