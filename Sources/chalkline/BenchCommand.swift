// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ArgumentParser
import ChalklineBench
import Dump
import Enforcement
import Foundation
import Logging
import PlateReading
import Positioning
import Vault

/// `chalkline bench`: the performance figures of every part, measured on this machine.
struct BenchCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract:
      "Measure plate reading, enforcement, the permit lookup, the vault, gpsd and a patrol replay on this machine.",
    discussion: "Prints one line per figure: part, metric, value, unit. Needs gpsd for the positioning figures."
  )

  @Option(help: "Only these parts (comma-separated): plates, enforcement, permits, vault, gps, replay, patrol.")
  var only: String?

  @Option(help: "The plate photos with groundtruth.tsv.")
  var plates: String = "../shared/data/plates-us-dev"

  @Option(help: "A frame dump to replay for the replay figures (e.g. a generated patrol).")
  var dump: String?

  @Option(
    help:
      "A generated patrol of real photos for the patrol figures (tools/patrol/generate.py --real-photos; expected.json beside it)."
  )
  var patrol: String = "out/patrol-real"

  @Option(help: ArgumentHelp("The patrol's reader.min_confidence instead of the profile's.", visibility: .hidden))
  var patrolMinConfidence: Double?

  @Option(help: ArgumentHelp("How the tracker fuses a car's frames: posteriors or votes.", visibility: .hidden))
  var trackerFusion: String?

  @Option(help: ArgumentHelp("The weight of each frame in the posteriors fusion.", visibility: .hidden))
  var fusionTemperature: Double?

  @Flag(
    help: ArgumentHelp("The posteriors fusion weighs the layout prior once, not in each frame.", visibility: .hidden))
  var fusionPriorOnce = false

  @Option(
    help: ArgumentHelp(
      "The tracker's confidence calibration as SLOPE,INTERCEPT, or 'none', instead of the shipped one.",
      visibility: .hidden))
  var trackerCalibration: String?

  @Option(help: "The profile for the replay (default: the embedded replay-default.yaml, with its zones).")
  var profile: String?

  @Flag(help: "Print JSON.")
  var json = false

  @Option(
    help: "A folder of plate models to measure instead of the shipped ones (as tools/train/export.py writes them).")
  var models: String?

  @Option(
    help: ArgumentHelp(
      "The reader's extra views as margins (comma-separated, or 'none'), to measure their worth.",
      visibility: .hidden))
  var readerViews: String?

  @Option(help: ArgumentHelp("How many plates of a frame get the extra views.", visibility: .hidden))
  var readerViewPlates: Int?

  @Option(
    help: ArgumentHelp(
      "The refinement's plate widths in detector pixels (comma-separated, or 'none' to skip it), to measure its worth.",
      visibility: .hidden))
  var readerRefinement: String?

  @Option(
    help: ArgumentHelp(
      "The detector's first-pass threshold (its candidate threshold, or the model's own without confirmation).",
      visibility: .hidden))
  var detectorThreshold: Double?

  @Option(help: ArgumentHelp("The most candidates the detector returns a frame.", visibility: .hidden))
  var detectorMaxPlates: Int?

  @Option(
    help: ArgumentHelp(
      "The confirmation's plate width in detector pixels and its minimum score ('80:0.6'), or 'none'.",
      visibility: .hidden))
  var detectorConfirmation: String?

  @Option(
    help: ArgumentHelp(
      "The first-pass peak from which a candidate stands without the confirmation, or 'none' (plates and patrol).",
      visibility: .hidden))
  var detectorUnconfirmed: String?

  @Option(
    help: ArgumentHelp(
      "The confidence from which the patrol tracker keeps a track of fewer reads than it needs, or 'none'.",
      visibility: .hidden))
  var trackerFewReads: String?

  /// `--detector-unconfirmed`: the value to set (the outer optional: whether to set one).
  func unconfirmedMinimumScore() throws -> Double?? {
    guard let text = detectorUnconfirmed else { return nil }
    if text == "none" { return .some(nil) }
    guard let value = Double(text) else { throw ValidationError("--detector-unconfirmed takes a number or 'none'.") }
    return .some(value)
  }

  func run() async throws {
    guard profile == nil else { return try await measure() }
    try await ReplayDefaultProfile.withProfile { path in
      var command = self
      command.profile = path
      try await command.measure()
    }
  }

  private func measure() async throws {
    let parts = only.map { Set($0.split(separator: ",").map(String.init)) }
    func wanted(_ part: String) -> Bool { parts?.contains(part) ?? true }
    let logger = Logger(label: "chalkline.bench") { JournalLogHandler(label: $0, level: .warning) }
    var figures: [Figure] = []
    func add(_ part: String, _ results: [(metric: String, value: Double, unit: String)]) {
      for result in results {
        let figure = Figure(part: part, metric: result.metric, value: result.value, unit: result.unit)
        figures.append(figure)
        if !json { print("\(part)\t\(figure.metric)\t\(String(format: "%.3f", figure.value))\t\(figure.unit)") }
      }
    }
    if wanted("plates") {
      // A comma-separated list of numbers, or 'none' for an empty one.
      func numbers(_ text: String) -> [Double] {
        text == "none" ? [] : text.split(separator: ",").compactMap { Double($0) }
      }
      let views = readerViews.map(numbers)
      let viewPlates = readerViewPlates
      let refinement = readerRefinement.map(numbers)
      let detectorThreshold = detectorThreshold
      let detectorMaxPlates = detectorMaxPlates
      let unconfirmed = try unconfirmedMinimumScore()
      let confirmation = try detectorConfirmation.map { text -> (width: Double, score: Double)? in
        if text == "none" { return nil }
        let parts = text.split(separator: ":").compactMap { Double($0) }
        guard parts.count == 2 else { throw ValidationError("--detector-confirmation takes WIDTH:SCORE or 'none'.") }
        return (parts[0], parts[1])
      }
      add(
        "plates",
        try PlateReadingBenchmark.run(
          dataset: URL(fileURLWithPath: plates), modelDirectory: models.map { URL(fileURLWithPath: $0) },
          tracker: try trackerConfiguration()
        ) { reader in
          if let views { reader.extraViewMargins = views }
          if let viewPlates { reader.extraViewPlates = viewPlates }
          if let refinement { reader.detector.refinementPlateWidths = refinement }
          if let confirmation {
            reader.detector.confirmationPlateWidth = confirmation?.width
            if let score = confirmation?.score { reader.detector.confirmationMinimumScore = score }
          }
          if let threshold = detectorThreshold {
            reader.detector.scoreThreshold = threshold
            reader.detector.candidateThreshold = threshold
          }
          if let maxPlates = detectorMaxPlates { reader.detector.maximumPlates = maxPlates }
          if let unconfirmed { reader.detector.unconfirmedMinimumScore = unconfirmed }
        })
    }
    if wanted("enforcement") { add("enforcement", EnforcementBenchmark.run()) }
    if wanted("permits") { add("permits", PermitLookupBenchmark.run()) }
    if wanted("vault") {
      let directory = FileManager.default.temporaryDirectory.appendingPathComponent("chalkline-bench-\(getpid())")
      defer { try? FileManager.default.removeItem(at: directory) }
      add("vault", try VaultBenchmark.run(directory: directory))
    }
    if wanted("gps") { add("gps", try await PositioningBenchmark.run(logger: logger)) }
    if wanted("replay"), let dump {
      var loaded = try DeviceProfile.load(from: profile ?? "")
      let state = FileManager.default.temporaryDirectory.appendingPathComponent("chalkline-bench-replay-\(getpid())")
      defer { try? FileManager.default.removeItem(at: state) }
      loaded.vault.stateDirectory = state.path
      let vault = try ReplayRunner.openVault(profile: loaded, upstreamKeys: nil, logger: logger)
      defer { vault.closeLoggingFailure() }
      let summary = try await ReplayRunner(
        profile: loaded, dump: URL(fileURLWithPath: dump), pace: .fast, logger: logger
      )
      .run(vault: vault)
      add(
        "replay",
        [
          ("speed", summary.speedFactor, "x real time"),
          ("frame_p50", summary.counters.frameMillisecondsP50, "ms"),
          ("frame_p99", summary.counters.frameMillisecondsP99, "ms"),
          ("decision_p50", summary.counters.decisionMillisecondsP50, "ms"),
          ("decision_p99", summary.counters.decisionMillisecondsP99, "ms"),
          ("candidates", Double(summary.counters.candidates), "count"),
        ])
    }
    if wanted("patrol") { add("patrol", try await patrolFigures(logger: logger)) }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      print(String(decoding: try encoder.encode(figures), as: UTF8.self))
    }
  }

  struct Figure: Codable {
    var part: String
    var metric: String
    var value: Double
    var unit: String
  }
}
