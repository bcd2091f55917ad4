// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import Dump
import Foundation
import Logging
import Positioning

extension AgentDaemon {
  /// Runs the frame and position sources of the profile in force; starts them again when a
  /// reload changed their settings, and returns once a stop is requested.
  func runSources(state: DaemonState, queue: FrameQueue) async {
    while !Task.isCancelled {
      let (profile, generation, stop) = state.update { ($0.profile, $0.generation, $0.stopRequested) }
      if stop { return }
      await withTaskGroup(of: Void.self) { group in
        if let dump = options.replayDump {
          group.addTask { await replay(dump: dump, state: state, queue: queue) }
          if !options.replayFixesFromDump {
            group.addTask { await positions(profile.gps, state: state, queue: queue) }
          }
        } else {
          group.addTask { await capture(profile.camera, state: state, queue: queue) }
          group.addTask { await positions(profile.gps, state: state, queue: queue) }
        }
        group.addTask { await state.waitForChange(from: generation) }
        await group.next()
        group.cancelAll()
      }
    }
  }

  /// The V4L2 camera into the queue, until cancelled.
  private func capture(_ settings: DeviceProfile.Camera, state: DaemonState, queue: FrameQueue) async {
    let camera = V4L2Camera(configuration: settings.captureConfiguration, logger: logger)
    state.update {
      $0.liveCamera = camera
      $0.camera = AgentStatus.Camera(source: "v4l2", device: settings.device, state: "starting")
    }
    for await event in camera.events() {
      switch event {
      case .frame(let frame):
        queue.push(frame)
        state.sourceEvent(frame: true)
      case .fault:
        queue.sourceFault()
        state.sourceEvent(frame: false)
      }
    }
    // Cancellation ended the stream; wait until the device is closed before a new one opens it.
    await camera.stop()
  }

  /// gpsd's fixes into the queue, until cancelled.
  private func positions(_ settings: DeviceProfile.GPS, state: DaemonState, queue: FrameQueue) async {
    let client = GPSDClient(configuration: .init(host: settings.host, port: settings.port), logger: logger)
    let clockCheck = FixClockCheck()
    for await event in client.events() {
      switch event {
      case .fix(let fix):
        // A fix whose date cannot be right (a week rollover, a reset receiver) would put every
        // sighting on the wrong day: it is refused before the pipeline sees it, and alarmed.
        // `gps.fixes` counts what gpsd sent; the pipeline counts what it used.
        let problem = fix.mode >= .twoD ? clockCheck.problem(with: fix, systemTime: Date()) : nil
        let first = state.update { values in
          values.gps.fixes += 1
          defer { values.gps.clockProblem = problem }
          return problem != nil && values.gps.clockProblem == nil
        }
        if first, let problem {
          logger.error("GPS time refused: nothing is chalked on these fixes", metadata: ["gps.clock": "\(problem)"])
        }
        guard problem == nil else { continue }
        queue.push(fix)
      case .state(let gps):
        state.update { $0.gps.state = gps.rawValue }
      case .line:
        break
      }
    }
  }

  /// Test and field-test hook: a dump stands in for the camera and gpsd, fed as `chalkline
  /// replay` feeds it (``DumpFeed``); at its end it starts over with its clock shifted on, or
  /// (without looping) the source goes silent as a dead camera would.
  private func replay(dump: String, state: DaemonState, queue: FrameQueue) async {
    let fromDump = options.replayFixesFromDump
    let fixes = fromDump ? DumpFeed.fixes(in: URL(fileURLWithPath: dump), logger: logger) : []
    state.update {
      $0.camera.state = "replaying"
      if fromDump { $0.gps.state = fixes.isEmpty ? "no-fix" : "replay" }
    }
    var feed = DumpFeed(directory: dump, pace: options.replayPace, fixes: fixes, logger: logger)
    feed.loop = options.replayLoop
    _ = await feed.run(into: queue) { event in
      switch event {
      case .frame: state.sourceEvent(frame: true)
      case .fault: state.sourceEvent(frame: false)
      case .fix: state.update { $0.gps.fixes += 1 }
      }
    }
    guard !Task.isCancelled, !queue.snapshot.isClosed else { return }
    logger.warning("replay dump ended: no more frames", metadata: ["dump.directory": "\(dump)"])
    state.update { $0.camera.state = "ended" }
    while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
  }
}

extension DeviceProfile.Camera {
  /// The capture settings of this camera section.
  public var captureConfiguration: CameraConfiguration {
    var configuration = CameraConfiguration(device: device)
    configuration.formats = pixelFormats.compactMap { PixelFormat(name: $0) }
    configuration.width = width
    configuration.height = height
    configuration.fps = fps
    configuration.bufferCount = UInt32(clamping: buffers)
    // The profile gives microseconds; V4L2_CID_EXPOSURE_ABSOLUTE counts 100 µs.
    if case .manual(let microseconds) = exposure {
      configuration.exposure = Int32(clamping: max(1, microseconds / 100))
    }
    if case .manual(let value) = gain { configuration.gain = Int32(clamping: value) }
    configuration.stallTimeout = .milliseconds(Int64(stallTimeout * 1000))
    return configuration
  }
}
