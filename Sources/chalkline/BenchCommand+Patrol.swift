// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ArgumentParser
import ChalklineBench
import Foundation
import Logging
import PlateReading

extension BenchCommand {
  /// The tracker as the options change it for a measurement (the default otherwise): the patrol
  /// replays with it, and the photos' one-frame sightings are closed by it.
  func trackerConfiguration() throws -> PlateTracker.Configuration {
    var tracker = PlateTracker.Configuration()
    if let fusion = trackerFusion {
      guard let chosen = PlateTracker.Fusion(rawValue: fusion) else {
        throw ValidationError(
          "--tracker-fusion takes \(PlateTracker.Fusion.allCases.map(\.rawValue).joined(separator: " or ")).")
      }
      tracker.fusion = chosen
    }
    if let fusionTemperature { tracker.fusionTemperature = fusionTemperature }
    if fusionPriorOnce { tracker.layoutPriorEachFrame = false }
    if let text = trackerCalibration {
      let parts = text.split(separator: ",").compactMap { Double($0) }
      guard text == "none" || parts.count == 2 else {
        throw ValidationError("--tracker-calibration takes SLOPE,INTERCEPT or 'none'.")
      }
      tracker.calibration = parts.count == 2 ? ConfidenceCalibration(slope: parts[0], intercept: parts[1]) : nil
    }
    if let text = trackerFewReads {
      guard text == "none" || Double(text) != nil else {
        throw ValidationError("--tracker-few-reads takes a confidence or 'none'.")
      }
      tracker.fewReadsMinimumConfidence = Double(text)
    }
    return tracker
  }

  /// The patrol figures: candidate recall and false candidates on a generated patrol of real
  /// photos, and why sightings were skipped.
  func patrolFigures(logger: Logger) async throws -> [(metric: String, value: Double, unit: String)] {
    let directory = URL(fileURLWithPath: patrol)
    guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("expected.json").path) else {
      if only == nil {
        FileHandle.standardError.write(Data("bench: no patrol at \(patrol): the patrol figures are left out\n".utf8))
        return []
      }
      throw ValidationError(
        "\(patrol): no generated patrol there; make one with `/usr/bin/python3 tools/patrol/generate.py --out \(patrol) "
          + "--real-photos ../shared/data/plates-us-dev`.")
    }
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chalkline-bench-patrol-\(getpid())")
    defer { try? FileManager.default.removeItem(at: scratch) }
    var loaded = try DeviceProfile.load(from: profile ?? "")
    if let minConfidence = patrolMinConfidence { loaded.reader.minConfidence = minConfidence }
    let tracker = try trackerConfiguration()
    // The shipped reader unless the models or the detector's confirmation are changed for a measurement.
    var reader: PlateReader?
    let unconfirmed = try unconfirmedMinimumScore()
    if models != nil || unconfirmed != nil {
      let chosen =
        try models.map { try PlateReader(modelDirectory: URL(fileURLWithPath: $0), logger: logger) }
        ?? PlateReader(logger: logger)
      chosen.alternativeCount = max(loaded.reader.alternatives, 1)
      if let unconfirmed { chosen.detector.unconfirmedMinimumScore = unconfirmed }
      reader = chosen
    }
    let (summary, score) = try await PatrolBenchmark.run(
      profile: loaded, dump: directory, scratch: scratch, reader: reader, tracker: tracker, logger: logger)
    var figures: [(metric: String, value: Double, unit: String)] = [
      ("recall", score.recall * 100, "%"),
      ("candidates_found", Double(score.found), "of \(score.expected)"),
      ("false_candidates", Double(score.falseCandidates), "count"),
      ("false_wrong_text", Double(score.wrongText), "count"),
      ("false_wrong_zone", Double(score.wrongZone), "count"),
      ("false_duplicate", Double(score.duplicates), "count"),
    ]
    for kind in ["left", "arrived", "moved", "too_brief", "outside_hours"] + score.falseByKind.keys.sorted()
    where kind != "other" || score.falseByKind[kind] != nil {
      if figures.contains(where: { $0.metric == "false_\(kind)" }) { continue }
      figures.append(("false_\(kind)", Double(score.falseByKind[kind, default: 0]), "count"))
    }
    // How surely the right and the false candidates were read (what a candidate threshold would cut).
    figures.append(("found_confidence_min", score.foundConfidences.min() ?? 0, "probability"))
    figures.append(("false_confidence_max", score.falseConfidences.max() ?? 0, "probability"))
    // How well the sightings' confidence predicts a right text: the reliability table.
    figures += score.sightings.figures(prefix: "sightings")
    // The logistic calibration these sightings' confidences would take (fit with `--tracker-calibration none`).
    if let fit = score.sightings.fittedCalibration() {
      figures.append(("sightings_calibration_fit_slope", fit.slope, "weight"))
      figures.append(("sightings_calibration_fit_intercept", fit.intercept, "log-odds"))
    }
    figures.append(("sightings", Double(summary.counters.sightings), "count"))
    figures.append(("chalk_marks", Double(summary.counters.chalkMarks), "count"))
    for (reason, count) in summary.counters.skipped.sorted(by: { $0.key < $1.key }) {
      figures.append(("skipped_\(reason.replacingOccurrences(of: " ", with: "_"))", Double(count), "count"))
    }
    figures.append(("frame_p50", summary.counters.frameMillisecondsP50, "ms"))
    return figures
  }
}
