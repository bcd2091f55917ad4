// SPDX-License-Identifier: AGPL-3.0-or-later

import ArgumentParser
import Capture
import Foundation
import Logging

/// `chalkline record --profile P --out DUMP [--duration D]`: records camera frames as captured,
/// and gpsd's JSON reports, into a frame dump (DESIGN.md, `chalkline-dump` version 1).
struct RecordCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "record",
    abstract: "Record camera frames and gpsd's reports into a frame dump.",
    discussion: """
      Stops after --duration, after --count frames, or on SIGINT/SIGTERM; the dump is complete \
      up to the last frame either way. Camera faults (unplug, stall) are retried while recording.
      """)

  @Option(help: "The vehicle's device profile (YAML). Not read yet: the camera comes from the options below.")
  var profile: String?

  @Option(help: "The dump directory to create.")
  var out: String

  @Option(help: "How long to record: 90, 90s, 5m, 1h. Default: until interrupted.")
  var duration: String?

  @Option(help: "Stop after this many frames.")
  var count: Int?

  @Option(help: "The camera's device node.")
  var device: String = "/dev/video0"

  @Option(help: "The camera input to select.")
  var input: UInt32?

  @Option(help: "Wanted width in pixels.")
  var width: Int = 1280

  @Option(help: "Wanted height in pixels.")
  var height: Int = 720

  @Option(help: "Pixel formats in order of preference, comma-separated (MJPG, YUYV, GREY).")
  var format: String = "MJPG,YUYV,GREY"

  @Option(help: "Wanted frames per second.")
  var fps: Double = 30

  @Option(help: "gpsd to record from, host:port (e.g. 127.0.0.1:2947). Default: no GPS.")
  var gpsd: String?

  func validate() throws {
    if let duration, Self.parseDuration(duration) == nil {
      throw ValidationError("--duration \(duration): give seconds (90), or a number with s, m or h (90s, 5m, 1h)")
    }
    if Self.parseFormats(format) == nil {
      throw ValidationError("--format \(format): give four-character codes separated by commas, e.g. MJPG,YUYV,GREY")
    }
    if let gpsd, Self.parseHostPort(gpsd) == nil {
      throw ValidationError("--gpsd \(gpsd): give host:port, e.g. 127.0.0.1:2947")
    }
    if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    if width < 1 || height < 1 || fps <= 0 { throw ValidationError("--width, --height and --fps must be positive") }
  }

  func run() async throws {
    let logger = Logger(label: "chalkline.record")
    var camera = CameraConfiguration(device: device)
    camera.input = input
    camera.width = width
    camera.height = height
    camera.fps = fps
    camera.formats = Self.parseFormats(format) ?? camera.formats
    camera.queuedFrames = 16
    let recorder = Recorder(directory: out, device: device, fps: fps, logger: logger)
    let source = V4L2Camera(configuration: camera, logger: logger)
    let gps = gpsd.flatMap(Self.parseHostPort).map { GPSDLineClient(host: $0.host, port: $0.port, logger: logger) }
    let limit = duration.flatMap(Self.parseDuration)
    let frameLimit = count

    try await withThrowingTaskGroup(of: Void.self) { group in
      group.addTask {
        var frames = 0
        for await event in source.events() {
          guard case .frame(let frame) = event else { continue }
          try await recorder.write(frame)
          frames += 1
          if let frameLimit, frames >= frameLimit { break }
        }
        await source.stop()
      }
      if let gps {
        group.addTask { await Self.recordGPS(gps, into: recorder, logger: logger) }
      }
      group.addTask {
        if let limit { try await Task.sleep(for: limit) } else { try await Task.sleep(for: .seconds(86_400 * 365)) }
      }
      group.addTask { await Self.waitForSignal() }
      // The first task to end (frame count, duration, signal, a write error) ends the recording.
      defer { group.cancelAll() }
      try await group.next()
      source.requestStop()
      gps?.stop()
      group.cancelAll()
      while !group.isEmpty {
        do { try await group.next() } catch is CancellationError {}
      }
      await source.stop()
    }
    let summary = await recorder.finish()
    let stats = source.statistics
    print(
      "Recorded \(summary.frames) frames and \(summary.gpsLines) gpsd reports into \(out)"
        + " (dropped \(stats.framesDropped), corrupt \(stats.corruptBuffers), stalls \(stats.stalls),"
        + " unplugs \(stats.unplugs))")
    if summary.frames == 0 { throw ExitCode.failure }
  }

  /// Copies gpsd's lines into the dump; when gpsd goes away, says so once and reconnects.
  static func recordGPS(_ gps: GPSDLineClient, into recorder: Recorder, logger: Logger) async {
    var warned = false
    while !Task.isCancelled {
      do {
        for try await line in gps.lines() {
          try await recorder.write(gpsLine: line)
          warned = false
        }
        return
      } catch {
        if !warned {
          logger.warning("\(error)", metadata: ["gpsd.host": "\(gps.host)", "gpsd.port": "\(gps.port)"])
          warned = true
        }
        try? await Task.sleep(for: .seconds(2))
      }
    }
  }

  /// Returns when SIGINT or SIGTERM arrives (or the task is cancelled).
  static func waitForSignal() async {
    let signals = AsyncStream<Int32> { continuation in
      let sources = [SIGINT, SIGTERM].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number)
        source.setEventHandler { continuation.yield(number) }
        source.resume()
        return source
      }
      // Dispatch sources are thread-safe but not marked Sendable; they are only cancelled here.
      nonisolated(unsafe) let held = sources
      continuation.onTermination = { _ in for source in held { source.cancel() } }
    }
    for await _ in signals { return }
  }

  static func parseDuration(_ text: String) -> Duration? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    var number = Substring(text)
    var scale = 1.0
    if let last = text.last, let unit = units[last] {
      number = text.dropLast()
      scale = unit
    }
    guard let value = Double(number), value > 0 else { return nil }
    return .milliseconds(Int64(value * scale * 1000))
  }

  static func parseFormats(_ text: String) -> [PixelFormat]? {
    let formats = text.split(separator: ",").map { PixelFormat(name: $0.uppercased()) }
    guard !formats.isEmpty, formats.allSatisfy({ $0 != nil }) else { return nil }
    return formats.compactMap { $0 }
  }

  static func parseHostPort(_ text: String) -> (host: String, port: UInt16)? {
    guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else { return nil }
    let host = String(text[..<colon])
    return host.isEmpty ? nil : (host, port)
  }
}

/// Creates the dump at the first frame (its manifest names the negotiated format and size)
/// and holds gpsd lines that come before it.
actor Recorder {
  let directory: String
  let device: String
  let fps: Double
  let logger: Logger
  private var writer: DumpWriter?
  private var pendingGPS: [String] = []

  init(directory: String, device: String, fps: Double, logger: Logger) {
    self.directory = directory
    self.device = device
    self.fps = fps
    self.logger = logger
  }

  func write(_ frame: Frame) throws {
    if writer == nil {
      let manifest = DumpManifest(
        camera: .init(
          device: device, width: frame.width, height: frame.height, pixelFormat: frame.pixelFormat, fps: fps),
        created: frame.time)
      let writer = try DumpWriter(directory: directory, manifest: manifest, logger: logger)
      self.writer = writer
      for line in pendingGPS { try writer.writeGPS(line: line) }
      pendingGPS = []
    }
    try writer?.write(frame)
  }

  func write(gpsLine line: String) throws {
    if let writer {
      try writer.writeGPS(line: line)
    } else {
      // Before the first frame: keep the latest few minutes' worth, bounded.
      if pendingGPS.count >= 2000 { pendingGPS.removeFirst() }
      pendingGPS.append(line)
    }
  }

  func finish() -> (frames: Int, gpsLines: Int) {
    guard let writer else { return (0, 0) }
    writer.close()
    return writer.counts
  }
}
