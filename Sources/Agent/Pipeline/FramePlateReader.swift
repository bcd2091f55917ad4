// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import Imaging
import Logging
import PlateReading

/// Reads the plates in one decoded frame. On the road and in replays this is the shipped
/// ``PlateReader``; a unit test of the pipeline's logic may read ground truth instead.
public protocol FramePlateReader: AnyObject {
  /// The plates in the frame, most confident first.
  func plates(in luma: LumaImage, of frame: Frame) throws -> [PlateRead]
}

extension PlateReader: FramePlateReader {
  public func plates(in luma: LumaImage, of frame: Frame) throws -> [PlateRead] {
    try read(luma)
  }

  /// The shipped detector, recognizer and layout prior.
  public static func shipped(alternatives: Int, logger: Logger) throws -> PlateReader {
    let reader = try PlateReader(logger: logger)
    reader.alternativeCount = max(alternatives, 1)
    return reader
  }
}

extension PlateTracker.Configuration {
  /// This configuration with the reader's layout prior when it names none (a reader other than
  /// ``PlateReader``, such as a test's ground truth, has no prior to give).
  public func withLayoutPrior(of reader: any FramePlateReader) -> Self {
    var configuration = self
    if configuration.layoutPrior == nil, let plateReader = reader as? PlateReader {
      configuration.layoutPrior = plateReader.layoutPrior
    }
    return configuration
  }
}
