// SPDX-License-Identifier: AGPL-3.0-or-later

import ArgumentParser
import Capture
import ChalklineModel
import Dump
import Foundation
import Logging
import Positioning
import UnixSignals
import Vault

#if canImport(Agent)
  import Agent
#endif

/// `chalkline record --profile P --out DUMP [--duration D]`: records camera frames as captured,
/// and gpsd's JSON reports, into a frame dump (DESIGN.md, `chalkline-dump` version 1).
struct RecordCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "record",
    abstract: "Record camera frames and gpsd's reports into a frame dump: raw pictures of every car.",
    discussion: """
      A dump keeps raw pictures of every car and plate the camera saw, with where and when: \
      nothing in it is hashed, sealed or forgotten. Record only for a field test, keep the dump \
      on this vehicle and delete it when done. Files are written 0600 in a 0700 directory (one \
      that others can read is refused), and each recording is written to the audit log of the \
      profile's vault (or --state-dir).

      Stops after --duration, after --count frames, or on SIGINT/SIGTERM; the dump is complete \
      up to the last frame either way. Camera faults (unplug, stall) are retried while recording.
      """)

  @Option(help: "The vehicle's device profile (YAML): camera and gpsd settings. Options below override it.")
  var profile: String?

  @Option(help: "The dump directory to create (0700; an existing one must not be readable by others).")
  var out: String

  @Option(
    name: .customLong("state-dir"),
    help: "The vault whose audit log records this recording (default: the profile's vault.state_dir).")
  var stateDirectory: String?

  @Option(help: "Why, for the audit log.")
  var purpose = "field test recording"

  @Option(help: "How long to record: 90, 90s, 5m, 1h. Default: until interrupted.")
  var duration: String?

  @Option(help: "Stop after this many frames.")
  var count: Int?

  @Option(help: "The camera's device node (profile: camera.device; default /dev/video0).")
  var device: String?

  @Option(help: "The camera input to select (default: the driver's current one).")
  var input: UInt32?

  @Option(help: "Wanted width in pixels (profile: camera.width; default 1280).")
  var width: Int?

  @Option(help: "Wanted height in pixels (profile: camera.height; default 720).")
  var height: Int?

  @Option(
    help:
      "Pixel formats in order of preference, comma-separated (profile: camera.pixel_formats; default MJPG,YUYV,GREY)."
  )
  var format: String?

  @Option(help: "Wanted frames per second (profile: camera.fps; default 30).")
  var fps: Double?

  @Option(help: "gpsd to record from, host:port (profile: gps.host and gps.port; without a profile: no GPS).")
  var gpsd: String?

  func validate() throws {
    if let duration, Self.parseDuration(duration) == nil {
      throw ValidationError("--duration \(duration): give seconds (90), or a number with s, m or h (90s, 5m, 1h)")
    }
    if let format, Self.parseFormats(format) == nil {
      throw ValidationError("--format \(format): give four-character codes separated by commas, e.g. MJPG,YUYV,GREY")
    }
    if let gpsd, Self.parseHostPort(gpsd) == nil {
      throw ValidationError("--gpsd \(gpsd): give host:port, e.g. 127.0.0.1:2947")
    }
    if let count, count < 1 { throw ValidationError("--count must be at least 1") }
    if (width ?? 1) < 1 || (height ?? 1) < 1 || (fps ?? 1) <= 0 {
      throw ValidationError("--width, --height and --fps must be positive")
    }
  }

  /// The camera and gpsd to record from: the profile's, overridden by the options.
  func settings() throws -> (camera: CameraConfiguration, gpsd: (host: String, port: UInt16)?, logger: Logger) {
    var camera = CameraConfiguration(device: "/dev/video0")
    var gps: (host: String, port: UInt16)?
    var logger = Logger(label: "chalkline.record")
    #if canImport(Agent)
      if let profile {
        let loaded: DeviceProfile
        do { loaded = try DeviceProfile.load(from: profile) } catch {
          FileHandle.standardError.write(Data((error.description + "\n").utf8))
          throw ExitCode(error.code == .unreadable ? 2 : 1)
        }
        camera = CameraConfiguration(profile: loaded.camera)
        gps = (loaded.gps.host, UInt16(clamping: loaded.gps.port))
        let level = loaded.logLevel
        logger = Logger(label: "chalkline.record") { JournalLogHandler(label: $0, level: level) }
      }
    #endif
    if let device { camera.device = device }
    if let input { camera.input = input }
    if let width { camera.width = width }
    if let height { camera.height = height }
    if let fps { camera.fps = fps }
    if let formats = format.flatMap(Self.parseFormats) { camera.formats = formats }
    if let gpsd { gps = Self.parseHostPort(gpsd) }
    camera.queuedFrames = 16
    return (camera, gps, logger)
  }

  func run() async throws {
    let (camera, gpsAddress, logger) = try settings()
    try Self.prepareOutput(out)
    try audit(camera: camera)
    let recorder = Recorder(directory: out, device: camera.device, fps: camera.fps ?? 0, logger: logger)
    let source = V4L2Camera(configuration: camera, logger: logger)
    // gpsd's lines exactly as sent; the client reconnects with backoff and logs its state changes.
    let gps = gpsAddress.map {
      GPSDClient(
        configuration: .init(host: $0.host, port: Int($0.port), bufferSize: 4096, forwardsLines: true), logger: logger)
    }
    let limit = duration.flatMap(Self.parseDuration)
    let frameLimit = count

    // Whatever ends the recording, the camera is released and the dump closed.
    var failure: (any Error)?
    do {
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
          group.addTask { try await Self.recordGPS(gps, into: recorder) }
        }
        group.addTask {
          if let limit { try await Task.sleep(for: limit) } else { try await Task.sleep(for: .seconds(86_400 * 365)) }
        }
        group.addTask { await Self.waitForSignal() }
        // The first task to end (frame count, duration, signal, a write error) ends the recording.
        try await group.next()
        source.requestStop()
        group.cancelAll()
        while !group.isEmpty {
          do { try await group.next() } catch is CancellationError {}
        }
      }
    } catch {
      failure = error
    }
    await source.stop()

    let summary = await recorder.finish()
    if let failure { throw failure }
    let stats = source.statistics
    print(
      "Recorded \(summary.frames) frames and \(summary.gpsLines) gpsd reports into \(out)"
        + " (dropped \(stats.framesDropped), corrupt \(stats.corruptBuffers), stalls \(stats.stalls),"
        + " unplugs \(stats.unplugs))")
    if summary.frames == 0 { throw ExitCode.failure }
  }

  /// Makes every file of the dump private (umask 077: files 0600, directories 0700), creates the
  /// dump directory 0700, and refuses an existing one that others can read.
  static func prepareOutput(_ path: String) throws {
    umask(0o077)
    if let status = FileStatus(path: path) {
      guard status.isDirectory else {
        throw ValidationError("--out \(path) exists and is not a directory")
      }
      if status.permissions & 0o077 != 0 {
        throw ValidationError(
          "--out \(path): mode \(status.octalPermissions) lets others read raw pictures of every car "
            + "(expected 0700: chmod 0700 \(path), or choose a new directory)")
      }
    } else {
      let parent = (path as NSString).deletingLastPathComponent
      if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
      guard mkdir(path, 0o700) == 0 || errno == EEXIST else {
        throw ValidationError("--out \(path) cannot be created (\(String(cString: strerror(errno))))")
      }
    }
  }

  /// Writes `record.start` to the audit log of the vault (the profile's, or --state-dir's).
  func audit(camera: CameraConfiguration) throws {
    var state = stateDirectory
    #if canImport(Agent)
      if state == nil, let profile { state = try? DeviceProfile.load(from: profile).vault.stateDirectory }
    #endif
    guard let state else {
      throw ValidationError(
        "record keeps raw pictures of every car and must be audited: give --profile or --state-dir (the vault)")
    }
    var logger = Logger(label: "chalkline.record")
    logger.logLevel = .warning
    let vault = try Vault(stateDirectory: URL(fileURLWithPath: state), exclusive: false, logger: logger)
    defer { vault.closeLoggingFailure() }
    let who = "technician:\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")"
    try vault.audit(
      actor: who, action: "record.start", purpose: purpose,
      detail: "out=\(out) device=\(camera.device) duration=\(duration ?? "-") count=\(count.map(String.init) ?? "-")")
  }

  /// Copies gpsd's lines into the dump, as gpsd sent them, until cancelled; a failed write
  /// ends the recording, as a failed frame write does.
  static func recordGPS(_ gps: GPSDClient, into recorder: Recorder) async throws {
    for await event in gps.events() {
      guard case .line(let line) = event else { continue }
      try await recorder.write(gpsLine: line)
    }
  }

  /// Returns when SIGINT or SIGTERM arrives (or the task is cancelled).
  static func waitForSignal() async {
    for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { return }
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

#if canImport(Agent)
  extension CameraConfiguration {
    /// The capture settings of a device profile's camera section.
    init(profile camera: DeviceProfile.Camera) {
      self.init(device: camera.device)
      formats = camera.pixelFormats.compactMap { PixelFormat(name: $0) }
      width = camera.width
      height = camera.height
      fps = camera.fps
      bufferCount = UInt32(clamping: camera.buffers)
      // The profile gives microseconds; V4L2_CID_EXPOSURE_ABSOLUTE counts 100 µs.
      if case .manual(let microseconds) = camera.exposure { exposure = Int32(clamping: max(1, microseconds / 100)) }
      if case .manual(let value) = camera.gain { gain = Int32(clamping: value) }
      stallTimeout = .milliseconds(Int64(camera.stallTimeout * 1000))
    }
  }
#endif
