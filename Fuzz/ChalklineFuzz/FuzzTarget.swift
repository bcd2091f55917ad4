// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// One fuzz target: a parser of outside input, run on one input exactly as the product runs it.
///
/// A target returns normally for every input the product handles (refusing it with an error is
/// handling it); a trap, a sanitizer report or a broken contract (a refusal that lists no problem)
/// is a crash. `chalkline-fuzz NAME` hands it to libFuzzer; `FuzzTests` runs it on the committed
/// corpus (`Fuzz/corpus/NAME/`) in every `make test`.
public enum FuzzTarget: String, CaseIterable, Sendable {
  /// A dump's `dump.json`, read as a replay opens it.
  case dumpManifest = "dump-manifest"
  /// A dump's `frames.jsonl`, each frame it names read and decoded to luma as the pipeline does.
  case dumpFrames = "dump-frames"
  /// One frame file: a format byte, width and height (2 bytes each), then the frame's bytes
  /// (MJPEG through TurboJPEG, raw YUYV or GREY of whatever size).
  case frame
  /// gpsd's JSON reports: a dump's `gps.jsonl` (both readers) and each line as the live client
  /// decodes it, through the epoch merger and the quality gate.
  case gpsd
  /// A device profile: YAML through the checker.
  case profile
  /// A CDS zones document (1.0.x or 1.1, policies inline), and the same bytes as the policies
  /// response beside the shipped zones: the loader, then the rule check the daemon runs.
  case zones
  /// The hub's documents and replies as the vehicle reads them: signed distribution documents,
  /// keys, permit lists, batch and aggregate acknowledgements, the upstream key file.
  case hubDocuments = "hub-documents"
  /// The hub's ingest bodies (candidate batches, a manifest, aggregates) through decoding and
  /// validation, and what passes through the review pages' rendering.
  case hubIngest = "hub-ingest"
  /// The review pages' form bodies: fields, action, corrected plate, export form.
  case reviewForm = "review-form"
  /// A permit office's CSV export, as `chalkline-hub permits import` reads it.
  case permitsCSV = "permits-csv"

  /// Removes the scratch directory the targets that read files write to (a test run ends with
  /// it; a target run after it writes a new one, without the dump-frames target's frame files).
  public static func removeScratchDirectory() {
    try? FileManager.default.removeItem(atPath: FuzzScratch.directory)
  }

  /// Runs the target on one input.
  public func run(_ input: Data) {
    switch self {
    case .dumpManifest: FuzzDump.manifest(input)
    case .dumpFrames: FuzzDump.frames(input)
    case .frame: FuzzDump.frame(input)
    case .gpsd: FuzzGPSD.run(input)
    case .profile: FuzzProfile.run(input)
    case .zones: FuzzZones.run(input)
    case .hubDocuments: FuzzHubDocuments.run(input)
    case .hubIngest: FuzzHubIngest.run(input)
    case .reviewForm: FuzzReviewForm.run(input)
    case .permitsCSV: FuzzPermits.run(input)
    }
  }
}

/// A broken contract found by a target: reported as a crash so libFuzzer keeps the input.
func contractBroken(_ what: String, file: StaticString = #file, line: UInt = #line) -> Never {
  fatalError("fuzz contract broken: \(what)", file: file, line: line)
}

/// A scratch directory for targets whose parser reads files (one per process, in memory when
/// `/dev/shm` exists), reused by every input.
enum FuzzScratch {
  static let directory: String = {
    let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
    let path = "\(base)/chalkline-fuzz-\(getpid())-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
  }()

  /// Writes `data` to `name` inside a scratch directory and returns the directory.
  static func write(_ data: Data, to name: String, in sub: String) -> String {
    let dir = directory + "/" + sub
    if !FileManager.default.fileExists(atPath: dir) {
      try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    guard FileManager.default.createFile(atPath: dir + "/" + name, contents: data) else {
      fatalError("the fuzz scratch directory \(dir) cannot be written")
    }
    return dir
  }
}
