// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Imaging
import Logging

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

  /// Runs the benchmark, prints one `metric value unit` line per figure and returns them.
  public static func run(dataset: URL) throws -> [(metric: String, value: Double, unit: String)] {
    let truths = try groundTruth(dataset)
    let reader = try PlateReader(logger: Logger(label: "chalkline.bench", factory: { _ in SwiftLogNoOpLogHandler() }))
    var cpuMs: [Double] = []
    var top1 = 0
    var top1First = 0
    var top10 = 0
    var found = 0
    var results: [(metric: String, value: Double, unit: String)] = []
    var sizes: [String: [UInt8]] = [:]
    for t in truths {
      let bytes = [UInt8](try Data(contentsOf: dataset.appendingPathComponent(t.image)))
      let start = cpuSeconds()
      let frame = try reader.decode(jpeg: bytes)
      let reads = try reader.read(frame)
      cpuMs.append((cpuSeconds() - start) * 1000)
      sizes["\(frame.width)x\(frame.height)"] = sizes["\(frame.width)x\(frame.height)"] ?? bytes
      let truth = fold(t.text)
      if reads.contains(where: { fold($0.text) == truth }) { top1 += 1 }
      if let first = reads.first, fold(first.text) == truth { top1First += 1 }
      if reads.contains(where: { $0.alternatives.prefix(10).contains { fold($0.text) == truth } }) { top10 += 1 }
      if reads.contains(where: { PlateDetector.iou($0.quad.bounds, t.box) >= 0.5 }) { found += 1 }
    }
    let n = Double(max(1, truths.count))
    results.append(("images", Double(truths.count), "count"))
    results.append(("top1_any", 100 * Double(top1) / n, "%"))
    results.append(("top1_first", 100 * Double(top1First) / n, "%"))
    results.append(("top10_any", 100 * Double(top10) / n, "%"))
    results.append(("detection_recall_iou50", 100 * Double(found) / n, "%"))
    results.append(("cpu_ms_per_frame_median", median(cpuMs), "ms"))
    // Decode cost alone, per frame size, on one core.
    let decoder = try JPEGDecoder()
    for (label, size) in [("720p", "1280x720"), ("1080p", "1920x1080")] {
      if let jpeg = sizes[size] {
        results.append(("mjpeg_decode_ms_\(label)", median(timed(30) { _ = try? decoder.decodeLuma(jpeg) }), "ms"))
      }
      let (w, h) = size == "1280x720" ? (1280, 720) : (1920, 1080)
      let yuyv = [UInt8](repeating: 128, count: w * h * 2)
      results.append(("yuyv_to_luma_ms_\(label)", median(timed(30) { _ = try? LumaImage(yuyv: yuyv, width: w, height: h) }), "ms"))
    }
    results.append(("peak_rss", peakResidentMegabytes(), "MB"))
    for r in results { print("\(r.metric)\t\(String(format: "%.2f", r.value))\t\(r.unit)") }
    return results
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
