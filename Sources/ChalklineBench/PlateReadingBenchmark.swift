// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Imaging
import Logging
import PlateReading

/// Accuracy and speed of plate reading on a folder of photos with a ground truth.
///
/// The folder holds JPEGs and `groundtruth.tsv` (`image<TAB>text<TAB>x1,y1,…,x4,y4`), as
/// shared/data/plates-us-dev does; the metrics follow shared/tools/score-plates.py with O/0
/// folded. Figures are printed, never asserted: CPU time depends on the machine's load.
public enum PlateReadingBenchmark {
  /// One ground-truth row.
  struct Truth {
    var image: String
    var text: String
    var box: (minX: Double, minY: Double, maxX: Double, maxY: Double)
  }

  /// Accuracy figures on a dataset, in percent of its ground-truth images.
  public struct Accuracy: Sendable {
    /// Ground-truth images.
    public var images = 0
    /// The truth is the best text of any plate read (O/0 folded).
    public var top1Any = 0.0
    /// The truth is the best text of the most confident plate read.
    public var top1First = 0.0
    /// The truth is among the first 10 alternatives of any plate read.
    public var top10Any = 0.0
    /// Some read plate's box overlaps the truth box with IoU >= 0.5.
    public var detectionRecall = 0.0
    /// CPU milliseconds per image, JPEG decode included, in dataset order.
    public var cpuMilliseconds: [Double] = []
    /// Plates read (valid text), all images together.
    public var platesRead = 0
    /// The images whose plate was not read right (names only: their text stays out of logs).
    public var misses: [String] = []
    /// Each photo as a scene filmed in one frame: the confidence of each sighting the tracker makes
    /// of its reads against whether its text is the photo's plate (a sign or a second plate read
    /// counts as wrong, as on a patrol).
    public var reliability = Reliability()
  }

  /// Reads every image of `dataset` and scores the reads against its ground truth.
  /// `tracker`: how the photos' one-frame sightings are closed (the reliability table).
  public static func evaluate(
    dataset: URL, reader: PlateReader, tracker: PlateTracker.Configuration = .init()
  ) throws -> Accuracy {
    var sizes: [String: [UInt8]] = [:]
    return try evaluate(dataset: dataset, reader: reader, tracker: tracker, samples: &sizes)
  }

  static func evaluate(
    dataset: URL, reader: PlateReader, tracker: PlateTracker.Configuration, samples: inout [String: [UInt8]]
  ) throws -> Accuracy {
    let truths = try groundTruth(dataset)
    var a = Accuracy()
    var top1 = 0
    var top1First = 0
    var top10 = 0
    var found = 0
    for t in truths {
      let bytes = [UInt8](try Data(contentsOf: dataset.appendingPathComponent(t.image)))
      let start = cpuSeconds()
      let frame = try reader.decode(jpeg: bytes)
      let reads = try reader.read(frame)
      a.cpuMilliseconds.append((cpuSeconds() - start) * 1000)
      a.platesRead += reads.count
      samples["\(frame.width)x\(frame.height)"] = samples["\(frame.width)x\(frame.height)"] ?? bytes
      let truth = fold(t.text)
      if reads.contains(where: { fold($0.text) == truth }) { top1 += 1 } else { a.misses.append(t.image) }
      if let first = reads.first, fold(first.text) == truth { top1First += 1 }
      if reads.contains(where: { $0.alternatives.prefix(10).contains { fold($0.text) == truth } }) { top10 += 1 }
      if reads.contains(where: { PlateDetector.iou($0.quad.bounds, t.box) >= 0.5 }) { found += 1 }
      for sighting in oneFrameSightings(reads, tracker: tracker, prior: reader.layoutPrior) {
        a.reliability.add(confidence: sighting.confidence, right: fold(sighting.text) == truth)
      }
    }
    let n = Double(max(1, truths.count))
    a.images = truths.count
    a.top1Any = 100 * Double(top1) / n
    a.top1First = 100 * Double(top1First) / n
    a.top10Any = 100 * Double(top10) / n
    a.detectionRecall = 100 * Double(found) / n
    return a
  }

  /// Runs the benchmark and returns its figures (`metric, value, unit`); the caller prints them.
  public static func run(dataset: URL) throws -> [(metric: String, value: Double, unit: String)] {
    try run(dataset: dataset, modelDirectory: nil)
  }

  /// Runs the benchmark with the models in `modelDirectory` (nil: the shipped ones).
  /// `configure` may change the reader's settings before the run (views, alternatives).
  /// The CPU time per frame is the median over `timingPasses` passes over every image: one pass
  /// on a shared machine moves the median by several milliseconds from run to run.
  public static func run(
    dataset: URL, modelDirectory: URL?, timingPasses: Int = 3,
    tracker: PlateTracker.Configuration = .init(), configure: (PlateReader) -> Void = { _ in }
  ) throws -> [(metric: String, value: Double, unit: String)] {
    let logger = Logger(label: "chalkline.bench", factory: { _ in SwiftLogNoOpLogHandler() })
    let reader =
      try modelDirectory.map { try PlateReader(modelDirectory: $0, logger: logger) } ?? PlateReader(logger: logger)
    configure(reader)
    var sizes: [String: [UInt8]] = [:]
    let a = try evaluate(dataset: dataset, reader: reader, tracker: tracker, samples: &sizes)
    let counts = reader.counts
    var cpuMilliseconds = a.cpuMilliseconds
    let images = try groundTruth(dataset).map { dataset.appendingPathComponent($0.image) }
    for _ in 1..<max(1, timingPasses) {
      for image in images {
        let bytes = [UInt8](try Data(contentsOf: image))
        let start = cpuSeconds()
        _ = try reader.read(reader.decode(jpeg: bytes))
        cpuMilliseconds.append((cpuSeconds() - start) * 1000)
      }
    }
    var results: [(metric: String, value: Double, unit: String)] = []
    results.append(("images", Double(a.images), "count"))
    results.append(("top1_any", a.top1Any, "%"))
    results.append(("top1_first", a.top1First, "%"))
    results.append(("top10_any", a.top10Any, "%"))
    results.append(("detection_recall_iou50", a.detectionRecall, "%"))
    // How well a one-frame sighting's confidence predicts a right text: the reliability table.
    results += a.reliability.figures(prefix: "photos")
    results.append(("cpu_ms_per_frame_median", median(cpuMilliseconds), "ms"))
    results.append(("cpu_ms_per_frame_p90", percentile(cpuMilliseconds, 0.9), "ms"))
    // Where a frame's time goes: candidates, those the detector does not confirm, those dropped as not
    // plate text, recognizer runs.
    let frames = Double(max(1, counts.frames))
    results.append(("detections_per_frame", Double(counts.detections) / frames, "count"))
    results.append(("unconfirmed_per_frame", Double(counts.unconfirmed) / frames, "count"))
    results.append(("not_text_per_frame", Double(counts.notText) / frames, "count"))
    results.append(("plates_read_per_frame", Double(a.platesRead) / frames, "count"))
    results.append(("recognizer_runs_per_frame", Double(counts.recognizerRuns) / frames, "count"))
    results.append(("refinements_per_frame", Double(counts.refinements) / frames, "count"))
    // How far apart plates and other candidates lie at the confirmation's larger scale.
    if let scores = try confirmationScores(dataset: dataset, detector: reader.detector) {
      let minimum = reader.detector.confirmationMinimumScore
      let below = scores.others.filter { $0 < minimum }.count
      results.append(("confirmation_plate_score_min", scores.plates.min() ?? 0, "score"))
      results.append(("confirmation_plates", Double(scores.plates.count), "count"))
      results.append(
        ("confirmation_others_below_minimum", 100 * Double(below) / Double(max(1, scores.others.count)), "%"))
    }
    // Decode cost alone, per frame size, on one core.
    let decoder = try JPEGDecoder()
    for (label, size) in [("720p", "1280x720"), ("1080p", "1920x1080")] {
      if let jpeg = sizes[size] {
        results.append(("mjpeg_decode_ms_\(label)", median(timed(30) { _ = try? decoder.decodeLuma(jpeg) }), "ms"))
      }
      let (w, h) = size == "1280x720" ? (1280, 720) : (1920, 1080)
      let yuyv = [UInt8](repeating: 128, count: w * h * 2)
      results.append(
        ("yuyv_to_luma_ms_\(label)", median(timed(30) { _ = try? LumaImage(yuyv: yuyv, width: w, height: h) }), "ms"))
    }
    // The two networks alone: the detector on a 720p frame, the recognizer on one crop.
    if let jpeg = sizes["1280x720"] {
      let frame = try reader.decode(jpeg: jpeg)
      results.append(("detector_ms_720p", median(timed(20) { _ = try? reader.detector.detect(frame) }), "ms"))
      let quad = Quad(x: 600, y: 340, width: 100, height: 50)
      results.append(
        (
          "refinement_ms_per_plate",
          median(timed(20) { _ = try? reader.detector.refine(frame, quad: quad) }), "ms"
        ))
      // Every first-pass candidate is looked at again once (most of them are not plates).
      results.append(
        (
          "confirmation_ms_per_candidate",
          median(timed(20) { _ = try? reader.detector.confirm(frame, quad: quad) }), "ms"
        ))
      let crop = try reader.recognizer.rectify(frame, quad: quad)
      results.append(
        ("rectify_ms_per_plate", median(timed(50) { _ = try? reader.recognizer.rectify(frame, quad: quad) }), "ms"))
      results.append(
        ("recognizer_ms_per_plate", median(timed(50) { _ = try? reader.recognizer.recognize(crop: crop) }), "ms"))
      if let probabilities = try? reader.recognizer.probabilities(crop: crop) {
        results.append(
          (
            "recognizer_network_ms_per_view",
            median(timed(50) { _ = try? reader.recognizer.probabilities(crop: crop) }), "ms"
          ))
        results.append(
          (
            "ctc_beam_search_ms_per_plate",
            median(timed(50) { _ = reader.recognizer.decoder.decode(probabilities, top: 2 * reader.alternativeCount) }),
            "ms"
          ))
      }
    }
    results.append(("peak_rss", peakResidentMegabytes(), "MB"))
    return results
  }

  /// The sightings a tracker of `tracker`'s configuration (with the reader's `prior` unless it names
  /// one) makes of one frame's reads, each read a car.
  static func oneFrameSightings(
    _ reads: [PlateRead], tracker: PlateTracker.Configuration, prior: LayoutPrior
  ) -> [TrackedPlate] {
    var configuration = tracker
    configuration.layoutPrior = configuration.layoutPrior ?? prior
    configuration.minimumReads = 1
    let tracker = PlateTracker(configuration: configuration)
    return tracker.update(time: Date(timeIntervalSince1970: 0), reads: reads) + tracker.finish()
  }

  /// The confirmation's peak (any score) for every first-pass candidate of every image, split by
  /// whether its box at the larger scale matches the image's truth plate (IoU >= 0.5): the figures
  /// behind `confirmationMinimumScore`. `nil` when the detector has no confirmation width.
  static func confirmationScores(
    dataset: URL, detector: PlateDetector
  ) throws -> (plates: [Double], others: [Double])? {
    guard let width = detector.confirmationPlateWidth else { return nil }
    let decoder = try JPEGDecoder()
    var plates: [Double] = []
    var others: [Double] = []
    for t in try groundTruth(dataset) {
      let frame = try decoder.decodeLuma([UInt8](try Data(contentsOf: dataset.appendingPathComponent(t.image))))
      for d in try detector.detect(frame) {
        let seen = try detector.refine(frame, quad: d.quad, plateWidth: width, minimumScore: 0)
        if let seen, PlateDetector.iou(seen.quad.bounds, t.box) >= 0.5 {
          plates.append(seen.score)
        } else {
          others.append(seen?.score ?? 0)
        }
      }
    }
    return (plates, others)
  }

  /// score-plates.py's normalisation with --fold-o0: A–Z0–9 only, O → 0.
  static func fold(_ text: String) -> String {
    String(PlateGrammar.normalized(text).map { $0 == "O" ? "0" : $0 })
  }

  static func groundTruth(_ dataset: URL) throws -> [Truth] {
    let text = try String(contentsOf: dataset.appendingPathComponent("groundtruth.tsv"), encoding: .utf8)
    return text.split(separator: "\n").compactMap { line -> Truth? in
      let f = line.split(separator: "\t").map(String.init)
      guard f.count >= 3, !line.hasPrefix("#") else { return nil }
      let c = f[2].split(separator: ",").compactMap { Double($0) }
      guard c.count == 8 else { return nil }
      let xs = stride(from: 0, to: 8, by: 2).map { c[$0] }
      let ys = stride(from: 1, to: 8, by: 2).map { c[$0] }
      return Truth(image: f[0], text: f[1], box: (xs.min()!, ys.min()!, xs.max()!, ys.max()!))
    }
  }

  /// The value below which a fraction `q` of `v` lies (nearest rank).
  static func percentile(_ v: [Double], _ q: Double) -> Double {
    guard !v.isEmpty else { return 0 }
    let s = v.sorted()
    return s[min(s.count - 1, max(0, Int((q * Double(s.count)).rounded(.up)) - 1))]
  }

  static func median(_ v: [Double]) -> Double {
    guard !v.isEmpty else { return 0 }
    let s = v.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
  }

  static func timed(_ n: Int, _ body: () -> Void) -> [Double] {
    (0..<n).map { _ in
      let t = cpuSeconds()
      body()
      return (cpuSeconds() - t) * 1000
    }
  }

  /// CPU time of the whole process (every thread), in seconds.
  static func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  /// The process's peak resident set (VmHWM), in MB.
  static func peakResidentMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
    else { return 0 }
    return Double(line.split(separator: " ").compactMap { Double($0) }.first ?? 0) / 1024
  }
}
