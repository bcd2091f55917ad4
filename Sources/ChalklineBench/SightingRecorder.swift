// SPDX-License-Identifier: AGPL-3.0-or-later
import Agent
import Capture
import Foundation
import Imaging
import PlateReading

/// A benchmark's view of a replay's sightings: it reads each frame with the replay's reader and
/// tracks the reads with a tracker of the pipeline's configuration, so it closes the same
/// sightings, with the same texts and confidences, as the pipeline it reads for. Only the
/// benchmark holds what it records (texts in this process's memory, compared with the truth).
final class SightingRecorder: FramePlateReader {
  let reader: any FramePlateReader
  private let tracker: PlateTracker
  private(set) var sightings: [TrackedPlate] = []

  /// `tracker`: the configuration the pipeline uses (with its layout prior already set).
  init(reader: any FramePlateReader, tracker: PlateTracker.Configuration) {
    self.reader = reader
    self.tracker = PlateTracker(configuration: tracker)
  }

  func plates(in luma: LumaImage, of frame: Frame) throws -> [PlateRead] {
    let reads = try reader.plates(in: luma, of: frame)
    sightings += tracker.update(time: frame.time, reads: reads)
    return reads
  }

  /// Closes the cars still in view, as the pipeline does at the end of a replay.
  func finish() -> [TrackedPlate] {
    sightings += tracker.finish()
    return sightings
  }
}
