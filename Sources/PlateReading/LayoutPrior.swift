// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// How often each plate layout occurs on real US plates — the state formats as a prior.
///
/// A layout writes each letter as `L` and each digit as `D` (`7ABC123` → `DLLLDDD`; the letter O
/// counts as the digit 0, as the recognizer reads it). The shipped table (`layouts.json`, written
/// by `tools/train/layouts.py`) counts the layouts of the training crops of plates-us-crops: fifty
/// states' plates, vanity and specialty ones included. A layout never seen keeps the smoothing's
/// small share, so an unusual plate is still read when nothing likelier is in sight.
public struct LayoutPrior: Sendable, Equatable {
  /// Plates counted per layout.
  public let counts: [String: Int]
  /// Added to every layout's count (so no layout is impossible).
  public let smoothing: Double
  private let total: Double

  /// Every layout of 2 to 8 characters: 2² + … + 2⁸.
  static let layoutCount = (PlateGrammar.minimumLength...PlateGrammar.maximumLength).reduce(0) { $0 + (1 << $1) }

  /// Creates a prior from counts per layout.
  public init(counts: [String: Int], smoothing: Double) {
    self.counts = counts
    self.smoothing = max(0, smoothing)
    total = Double(counts.values.reduce(0, +)) + self.smoothing * Double(Self.layoutCount)
  }

  /// No preference among layouts: every valid text weighs the same.
  public static let uniform = LayoutPrior(counts: [:], smoothing: 1)

  /// The probability of `text`'s layout among US plates; 0 for a text no US plate can have.
  public func probability(of text: String) -> Double {
    guard PlateGrammar.isValid(text), total > 0 else { return 0 }
    return (Double(counts[Self.layout(text)] ?? 0) + smoothing) / total
  }

  /// The layout of a text: letters `L`, digits `D`, the letter O as a digit.
  static func layout(_ text: String) -> String {
    String(text.map { $0.isNumber || $0 == "O" ? "D" : "L" })
  }

  /// Loads `layouts.json` (`{"counts": {"DDDLLL": 109, …}, "smoothing": 0.5}`) from `directory`.
  public static func load(directory: URL) throws(PlateReadingError) -> LayoutPrior {
    struct File: Decodable {
      var counts: [String: Int]
      var smoothing: Double
    }
    let url = directory.appendingPathComponent("layouts.json")
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw PlateReadingError(
        .modelMissing, "The plate layout table layouts.json is missing from \(directory.path); reinstall chalkline.",
        cause: error)
    }
    let file: File
    do {
      file = try JSONDecoder().decode(File.self, from: data)
    } catch {
      throw PlateReadingError(.modelInvalid, "\(url.path) is not a plate layout table.", cause: error)
    }
    let bad = file.counts.first { key, count in
      count < 0 || key.isEmpty || key.count > PlateGrammar.maximumLength || !key.allSatisfy { $0 == "L" || $0 == "D" }
    }
    guard bad == nil, file.smoothing > 0, file.smoothing.isFinite else {
      throw PlateReadingError(
        .modelInvalid, "\(url.path) holds a layout other than L/D of 1–8 characters, a negative count or no smoothing.")
    }
    return LayoutPrior(counts: file.counts, smoothing: file.smoothing)
  }
}
