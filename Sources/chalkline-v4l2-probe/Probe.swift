// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineModel
import Dump
import Logging

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
#if canImport(Glibc)
  import Glibc
#endif

/// The probe's steps, each printing one `CHALKLINE-RESULT` line.
struct Probe {
  let logger: Logger
  let modprobe: [String]
  let capturePath = "/dev/video0"
  let outputPath = "/dev/video1"

  func runAll() async {
    if !modprobe.isEmpty { await missingAtStart() }
    let devices = listDevices()
    let captureFormats = devices.first { $0.path == capturePath }?.formats.map(\.pixelFormat) ?? []
    await capture(.yuyv, width: 640, height: 360, count: 30)
    await capture(.grey, width: 640, height: 360, count: 30)
    if captureFormats.contains(.mjpeg) {
      await capture(.mjpeg, width: 640, height: 360, count: 30)
    } else {
      result("capture", ["format": "MJPG", "skipped": "not-offered-by-vivid"])
    }
    await capture(.yuyv, width: 1280, height: 720, count: 10)
    await recordAndReplay()
    await corruptBuffers()
    await stall()
    await loopback()
    await unplug()
  }

  /// A camera configured for vivid's webcam input.
  func webcam(_ format: PixelFormat, width: Int, height: Int) -> CameraConfiguration {
    var configuration = CameraConfiguration(device: capturePath)
    configuration.input = 0
    configuration.formats = [format]
    configuration.width = width
    configuration.height = height
    configuration.fps = 30
    configuration.queuedFrames = 8
    configuration.stallTimeout = .seconds(2)
    configuration.initialBackoff = .milliseconds(100)
    configuration.maximumBackoff = .milliseconds(800)
    return configuration
  }

  /// Runs a camera, handing every event to `handle` until it returns false or `limit` passes.
  func drive(_ camera: V4L2Camera, limit: Duration = .seconds(60), _ handle: (FrameEvent) -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + limit
    var finished = false
    for await event in camera.events() {
      if !handle(event) {
        finished = true
        break
      }
      if ContinuousClock.now > deadline { break }
    }
    await camera.stop()
    return finished
  }

  // MARK: - Steps

  /// The camera starts before vivid is loaded: it must report the missing device, retry, and
  /// stream once modprobe creates the node.
  func missingAtStart() async {
    let camera = V4L2Camera(configuration: webcam(.yuyv, width: 640, height: 360), logger: logger)
    var firstFault = "none"
    var loaded = false
    var frames = 0
    let completed = await drive(camera, limit: .seconds(60)) { event in
      switch event {
      case .fault(let error):
        if firstFault == "none" { firstFault = error.code.name }
        if !loaded {
          loaded = true
          let status = runCommand(modprobe)
          note("modprobe exited \(status)")
        }
      case .frame: frames += 1
      }
      return frames < 5
    }
    let stats = camera.statistics
    result(
      "missing",
      [
        "first_fault": firstFault, "frames": frames, "completed": completed, "failed_opens": stats.failedOpens,
        "recoveries": stats.recoveries,
      ])
  }

  func listDevices() -> [DeviceDescription] {
    var devices: [DeviceDescription] = []
    for n in 0..<8 {
      let path = "/dev/video\(n)"
      guard access(path, F_OK) == 0 else { continue }
      do {
        let device = try V4L2Device.open(path)
        defer { device.close() }
        let description = try device.describe()
        devices.append(description)
        note(description.text)
        let sizes = description.formats.reduce(0) { $0 + $1.sizes.count }
        let intervals = description.formats.reduce(0) { $0 + $1.sizes.reduce(0) { $0 + $1.intervals.count } }
        let names = Set(description.controls.map { $0.name.lowercased() })
        result(
          "device",
          [
            "path": path, "driver": description.driver, "capture": description.isCapture,
            "output": description.isOutput,
            "formats": description.formats.map(\.pixelFormat.name).joined(separator: ","), "sizes": sizes,
            "intervals": intervals, "inputs": description.inputs.count, "controls": description.controls.count,
            "gain": names.contains("gain"), "exposure": names.contains { $0.hasPrefix("exposure") },
          ])
      } catch {
        result("device", ["path": path, "error": error.code])
      }
    }
    result("devices", ["count": devices.count])
    return devices
  }

  func capture(_ format: PixelFormat, width: Int, height: Int, count: Int) async {
    var configuration = webcam(format, width: width, height: height)
    configuration.gain = 77
    let camera = V4L2Camera(configuration: configuration, logger: logger)
    var frames = 0
    var badSize = 0
    var faults = 0
    var ordered = true
    var utcSkew = 0.0
    var first: ContinuousClock.Instant?
    var last = ContinuousClock.now
    var lastTime: Date?
    var size = "none"
    var bytes = 0
    _ = await drive(camera) { event in
      switch event {
      case .frame(let frame):
        frames += 1
        if first == nil { first = .now }
        last = .now
        size = "\(frame.width)x\(frame.height)"
        bytes = frame.bytes.count
        if let expected = frame.expectedRawByteCount, expected != frame.bytes.count { badSize += 1 }
        if frame.pixelFormat != format { badSize += 1 }
        if let lastTime, frame.time <= lastTime { ordered = false }
        lastTime = frame.time
        utcSkew = max(utcSkew, abs(frame.time.timeIntervalSince1970 - Date().timeIntervalSince1970))
      case .fault(let error):
        faults += 1
        note("fault: \(error)")
      }
      return frames < count
    }
    let fps = frames > 1 && first != nil ? Double(frames - 1) / seconds(last - first!) : 0
    let gain = readControl(capturePath, "Gain")
    result(
      "capture",
      [
        "format": format.name, "frames": frames, "size": size, "bytes": bytes, "fps": rounded(fps, 1),
        "bad_size": badSize, "faults": faults, "ordered": ordered, "utc_skew_s": rounded(utcSkew, 3),
        "gain": gain.map { "\($0)" } ?? "absent",
      ])
  }

  /// Frames from the real driver written to a dump and replayed: bit-exact.
  func recordAndReplay() async {
    let directory = "/tmp/probe-dump"
    let camera = V4L2Camera(configuration: webcam(.yuyv, width: 640, height: 360), logger: logger)
    var captured: [Frame] = []
    _ = await drive(camera) { event in
      if case .frame(let frame) = event { captured.append(frame) }
      return captured.count < 10
    }
    var replayed: [Frame] = []
    var faults = 0
    var writeError = "none"
    do {
      let manifest = DumpManifest(
        camera: .init(device: capturePath, width: 640, height: 360, pixelFormat: .yuyv, fps: 30),
        created: captured.first?.time ?? Date())
      let writer = try DumpWriter(directory: directory, manifest: manifest, logger: logger)
      defer { writer.close() }
      for frame in captured { try writer.write(frame) }
      try writer.writeGPS(line: #"{"class":"TPV","mode":3,"time":"2026-03-02T09:00:00.000Z"}"#)
    } catch {
      writeError = "\(error.code)"
    }
    for await event in DumpFrameSource(directory: directory, pace: .fast, logger: logger).events() {
      switch event {
      case .frame(let frame): replayed.append(frame)
      case .fault: faults += 1
      }
    }
    let identical =
      captured.count == replayed.count
      && zip(captured, replayed).allSatisfy {
        $0.bytes == $1.bytes && $0.sequence == $1.sequence && UTCTime.format($0.time) == UTCTime.format($1.time)
      }
    // The lines the writer put in gps.jsonl (parsing them is Positioning's, not linked here).
    let gps = ((try? FileIO.read(directory + "/gps.jsonl")) ?? []).split(separator: 0x0A).count
    result(
      "dump",
      [
        "captured": captured.count, "replayed": replayed.count, "identical": identical, "faults": faults,
        "gps_lines": gps, "write_error": writeError,
      ])
  }

  /// vivid's "Inject V4L2_BUF_FLAG_ERROR" marks the next buffer corrupt: it must be skipped and counted.
  func corruptBuffers() async {
    let camera = V4L2Camera(configuration: webcam(.yuyv, width: 640, height: 360), logger: logger)
    var frames = 0
    var injected = false
    var corruptEvents = 0
    _ = await drive(camera) { event in
      switch event {
      case .frame:
        frames += 1
        if frames == 5 { injected = setControl(capturePath, named: "Inject V4L2_BUF_FLAG_ERROR", to: 1) }
      case .fault(let error):
        if error.code == .corruptBuffer { corruptEvents += 1 }
      }
      return frames < 15
    }
    let stats = camera.statistics
    result(
      "corrupt",
      [
        "injected": injected, "corrupt_buffers": stats.corruptBuffers, "corrupt_events": corruptEvents,
        "frames": frames, "unplugs": stats.unplugs, "stalls": stats.stalls,
      ])
  }

  /// vivid drops every buffer at "Percentage of Dropped Buffers" 100: a stall. The camera must
  /// report it, reopen, and resume when frames flow again.
  func stall() async {
    let camera = V4L2Camera(configuration: webcam(.yuyv, width: 640, height: 360), logger: logger)
    var frames = 0
    var framesAfter = 0
    var injected = false
    var stalled = false
    _ = await drive(camera) { event in
      switch event {
      case .frame:
        frames += 1
        if stalled { framesAfter += 1 }
        if frames == 5 { injected = setControl(capturePath, named: "Percentage of Dropped Buffers", to: 100) }
      case .fault(let error):
        if error.code == .stalled, !stalled {
          stalled = true
          _ = setControl(capturePath, named: "Percentage of Dropped Buffers", to: 0)
        }
      }
      return framesAfter < 5
    }
    let stats = camera.statistics
    result(
      "stall",
      [
        "injected": injected, "stalls": stats.stalls, "recoveries": stats.recoveries, "frames_after": framesAfter,
      ])
  }

  /// Our own frame out through vivid's HDMI output, back in through its HDMI input, bit-exact.
  func loopback() async {
    let width = 1280
    let height = 720
    let pattern = testPatternYUYV(width: width, height: height)
    let looped = setControl(capturePath, named: "Loop Video", to: 1)
    let osd = setControl(capturePath, named: "OSD Text Mode", to: 2)
    let streamer = OutputStreamer(
      path: outputPath, output: 1, frame: pattern, width: UInt32(width), height: UInt32(height))
    streamer.start()
    var configuration = CameraConfiguration(device: capturePath)
    configuration.input = 3
    configuration.formats = [.yuyv]
    configuration.width = width
    configuration.height = height
    configuration.fps = nil
    configuration.stallTimeout = .seconds(5)
    let camera = V4L2Camera(configuration: configuration, logger: logger)
    var frames = 0
    var exact = 0
    var bestDiff = Int.max
    var first: ContinuousClock.Instant?
    var last = ContinuousClock.now
    _ = await drive(camera, limit: .seconds(60)) { event in
      guard case .frame(let frame) = event else { return true }
      frames += 1
      if first == nil { first = .now }
      last = .now
      if frame.bytes == pattern {
        exact += 1
        bestDiff = 0
      } else if frame.bytes.count == pattern.count {
        var diff = 0
        for i in 0..<pattern.count where frame.bytes[i] != pattern[i] { diff += 1 }
        bestDiff = min(bestDiff, diff)
      }
      return exact < 3 && frames < 40
    }
    streamer.stop()
    let progress = streamer.progress
    let fps = frames > 1 && first != nil ? Double(frames - 1) / seconds(last - first!) : 0
    result(
      "loopback",
      [
        "frames": frames, "exact": exact, "best_diff_bytes": bestDiff == Int.max ? -1 : bestDiff,
        "fps": rounded(fps, 1), "loop_video": looped, "osd_off": osd, "output_queued": progress.queued,
        "output_error": progress.error ?? "none",
      ])
  }

  /// vivid's "Disconnect" acts like a USB unplug; it reconnects once every descriptor is
  /// closed. The camera must report the unplug, close, retry and stream again.
  func unplug() async {
    let camera = V4L2Camera(configuration: webcam(.yuyv, width: 640, height: 360), logger: logger)
    var before = 0
    var after = 0
    var triggered = false
    var unplugged = false
    var codes: [String] = []
    _ = await drive(camera) { event in
      switch event {
      case .frame:
        if unplugged { after += 1 } else { before += 1 }
        if before == 10, !triggered { triggered = setControl(capturePath, named: "Disconnect", to: 1) }
      case .fault(let error):
        if codes.last != error.code.name { codes.append(error.code.name) }
        if error.code == .deviceUnplugged { unplugged = true }
      }
      return after < 10
    }
    let stats = camera.statistics
    result(
      "unplug",
      [
        "triggered": triggered, "frames_before": before, "unplugs": stats.unplugs, "frames_after": after,
        "recoveries": stats.recoveries, "faults": codes.joined(separator: ","),
      ])
  }

  func readControl(_ path: String, _ name: String) -> Int32? {
    guard let device = try? V4L2Device.open(path) else { return nil }
    defer { device.close() }
    return (try? device.control(named: name))??.value
  }
}
