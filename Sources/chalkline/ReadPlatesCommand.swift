// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
// Compiled only where the package gives the command target PlateReading (the main package
// adds it with the plate-reading targets), so this file never breaks a build without them.
#if canImport(PlateReading)
  import ArgumentParser
  import Foundation
  import Imaging
  import Logging
  import PlateReading

  /// `chalkline read-plates [--format tsv|json] IMAGE…`: reads the plates in photos, one process for many images.
  ///
  /// TSV (DESIGN.md): `image<TAB>best<TAB>alternative…`, one line per plate found, the most
  /// confident plate first; an image with no plate prints no line. This is a technician's tool:
  /// it prints plate text on purpose, to standard output only, and logs none.
  struct ReadPlatesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "read-plates", abstract: "Read the license plates in JPEG images (TSV or JSON on standard output).")

    enum Format: String, ExpressibleByArgument, CaseIterable {
      case tsv, json
    }

    @Option(help: "Output format: tsv (image, best, alternatives…) or json.")
    var format: Format = .tsv

    @Option(help: "Alternatives per plate, the best included.")
    var alternatives = 10

    @Option(
      help: ArgumentHelp(
        "A folder with detector.* and recognizer.* to use instead of the shipped models.", visibility: .hidden))
    var models: String?

    @Argument(help: "JPEG images to read.")
    var images: [String]

    func validate() throws {
      guard !images.isEmpty else { throw ValidationError("Name at least one JPEG image.") }
      guard (1...50).contains(alternatives) else { throw ValidationError("--alternatives must be 1…50.") }
    }

    func run() throws {
      var logger = Logger(label: "chalkline.read-plates")
      logger.logLevel = .warning
      let reader =
        try models.map { try PlateReader(modelDirectory: URL(fileURLWithPath: $0), logger: logger) }
        ?? PlateReader(logger: logger)
      reader.alternativeCount = alternatives
      var failures = 0
      var json: [[String: Any]] = []
      for path in images {
        let name = URL(fileURLWithPath: path).lastPathComponent
        let reads: [PlateRead]
        do {
          guard let data = FileManager.default.contents(atPath: path) else {
            throw PlateReadingError(.imageUnreadable, "Cannot read the file: check that it exists and is readable.")
          }
          reads = try reader.read(jpeg: [UInt8](data))
        } catch {
          failures += 1
          FileHandle.standardError.write(Data("read-plates: \(path): \(error)\n".utf8))
          continue
        }
        switch format {
        case .tsv:
          for r in reads { print(([name] + r.alternatives.map(\.text)).joined(separator: "\t")) }
        case .json:
          json.append(["image": name, "plates": reads.map(Self.object)])
        }
      }
      if format == .json {
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        print(String(decoding: data, as: UTF8.self))
      }
      if failures > 0 { throw ExitCode(failures == images.count ? 2 : 1) }
    }

    static func object(_ r: PlateRead) -> [String: Any] {
      let c = r.quad.corners.flatMap { [round($0.x * 10) / 10, round($0.y * 10) / 10] }
      return [
        "text": r.text, "confidence": round(r.confidence * 1000) / 1000,
        "detection_score": round(r.detectionScore * 1000) / 1000,
        "character_confidences": r.characterConfidences.map { round($0 * 1000) / 1000 },
        "alternatives": r.alternatives.map { ["text": $0.text, "confidence": round($0.confidence * 1000) / 1000] },
        "corners": c,
      ]
    }
  }
#endif
