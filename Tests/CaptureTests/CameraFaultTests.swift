// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation
import Logging
import Testing

@testable import Capture

/// Fault handling of the camera loop, driven by a scripted device. Each test stops the camera
/// once it has seen what it waits for; every opened session must have been closed.
@Suite(.timeLimit(.minutes(2))) struct CameraFaultTests {
  func configuration() -> CameraConfiguration {
    var configuration = CameraConfiguration(device: "/dev/video-test")
    // Long enough that a slow, loaded machine never sees a stall the test did not script.
    configuration.stallTimeout = .seconds(30)
    configuration.initialBackoff = .milliseconds(5)
    configuration.maximumBackoff = .milliseconds(20)
    configuration.queuedFrames = 64
    return configuration
  }

  /// Runs the camera until `frames` frames arrived (or 10 s passed), then stops it.
  func run(
    _ script: DeviceScript, frames wanted: Int, logs: LogRecorder = LogRecorder(),
    configuration: CameraConfiguration? = nil
  ) async -> (events: [FrameEvent], camera: V4L2Camera) {
    let camera = V4L2Camera(
      configuration: configuration ?? self.configuration(), logger: logs.logger(), opener: script.opener)
    var events: [FrameEvent] = []
    let deadline = ContinuousClock.now + .seconds(10)
    for await event in camera.events() {
      events.append(event)
      if events.compactMap(\.frame).count >= wanted || ContinuousClock.now > deadline { break }
    }
    await camera.stop()
    return (events, camera)
  }

  @Test func missingDeviceAtStartIsRetriedUntilItAppears() async {
    let script = DeviceScript([
      .fail(.deviceMissing), .fail(.deviceMissing), .fail(.deviceMissing), .stream([.frame, .frame]),
    ])
    let logs = LogRecorder()
    let (events, camera) = await run(script, frames: 2, logs: logs)
    #expect(events.compactMap(\.fault).map(\.code) == [.deviceMissing, .deviceMissing, .deviceMissing])
    #expect(events.compactMap(\.frame).count == 2)
    let stats = camera.statistics
    #expect(stats.failedOpens == 3)
    #expect(stats.recoveries == 1)
    // Logged once for the change to "missing", once for streaming: not once per retry.
    #expect(logs.records.filter { $0.level == .warning }.count == 1)
    #expect(logs.records.filter { $0.message == "camera streaming" }.count == 1)
    #expect(script.counts.opened == script.counts.closed)
  }

  @Test func unplugMidStreamReopensAndKeepsCounting() async {
    let script = DeviceScript([.stream([.frame, .frame, .unplug]), .fail(.deviceMissing), .stream([.frame, .frame])])
    let (events, camera) = await run(script, frames: 4)
    #expect(events.compactMap(\.fault).map(\.code) == [.deviceUnplugged, .deviceMissing])
    #expect(events.compactMap(\.frame).map(\.sequence) == [0, 1, 2, 3])
    let stats = camera.statistics
    #expect(stats.unplugs == 1)
    #expect(stats.recoveries == 1)
    #expect(script.counts.opened == 2)
    #expect(script.counts.closed == 2)
  }

  @Test func stallClosesAndReopens() async {
    // The reopened stream keeps delivering, and the stall timeout is long enough that a slow
    // shutdown on a loaded machine is not taken for a second stall after the test has its frames.
    let script = DeviceScript([.stream([.frame, .silence]), .stream([.frame, .frame, .frame, .frame])])
    var configuration = configuration()
    configuration.stallTimeout = .milliseconds(600)
    let (events, camera) = await run(script, frames: 2, configuration: configuration)
    #expect(events.compactMap(\.fault).map(\.code) == [.stalled])
    #expect(camera.statistics.stalls == 1)
    #expect(camera.statistics.recoveries == 1)
    #expect(script.counts.opened == 2 && script.counts.closed == 2)
  }

  @Test func corruptBuffersAreSkippedWithoutReopening() async {
    let logs = LogRecorder()
    let script = DeviceScript([.stream([.frame, .corrupt, .corrupt, .corrupt, .frame])])
    let (events, camera) = await run(script, frames: 2, logs: logs)
    #expect(events.compactMap(\.fault).map(\.code) == [.corruptBuffer, .corruptBuffer, .corruptBuffer])
    #expect(events.compactMap(\.frame).count == 2)
    #expect(camera.statistics.corruptBuffers == 3)
    #expect(script.counts.attempts == 1)
    // Three corrupt buffers in a row are one change of state: one warning.
    #expect(logs.records.filter { $0.level == .warning }.count == 1)
  }

  @Test func refusedFormatIsRetriedWithBackoff() async {
    let script = DeviceScript([.fail(.formatRefused), .fail(.formatRefused), .stream([.frame])])
    let (events, camera) = await run(script, frames: 1)
    #expect(events.compactMap(\.fault).map(\.code) == [.formatRefused, .formatRefused])
    #expect(camera.statistics.formatRefusals == 2)
    #expect(camera.statistics.framesDelivered == 1)
  }

  @Test func slowConsumerDropsOldestFramesAndCountsThem() async {
    var configuration = configuration()
    configuration.queuedFrames = 2
    let script = DeviceScript([.stream(Array(repeating: .frame, count: 20))])
    let camera = V4L2Camera(configuration: configuration, logger: LogRecorder().logger(), opener: script.opener)
    let events = camera.events()
    // Let the thread run ahead of a consumer that has not started yet.
    while camera.statistics.framesDelivered < 20 { try? await Task.sleep(for: .milliseconds(5)) }
    var received: [UInt64] = []
    for await event in events {
      if let frame = event.frame { received.append(frame.sequence) }
      if received.count == 2 { break }
    }
    await camera.stop()
    #expect(camera.statistics.framesDropped == 18)
    #expect(received == [18, 19])
  }

  @Test func aNewStreamStopsTheOneBeforeAndAllSessionsAreClosed() async {
    let script = DeviceScript([
      .stream(Array(repeating: .frame, count: 50)), .stream(Array(repeating: .frame, count: 50)),
    ])
    let camera = V4L2Camera(configuration: configuration(), logger: LogRecorder().logger(), opener: script.opener)
    for await event in camera.events() where event.frame != nil { break }
    // The consumer walked away without stop(); a second stream starts at once.
    var frames = 0
    for await event in camera.events() {
      if event.frame != nil { frames += 1 }
      if frames == 3 { break }
    }
    await camera.stop()
    #expect(frames == 3)
    #expect(script.counts.opened == 2)
    #expect(script.counts.closed == 2)
  }

  /// The first fault a real V4L2 camera on `device` reports.
  private func firstFault(opening device: String) async -> CaptureError? {
    var configuration = configuration()
    configuration.device = device
    let camera = V4L2Camera(configuration: configuration, logger: LogRecorder().logger())
    var first: CaptureError?
    for await event in camera.events() {
      first = event.fault
      break
    }
    await camera.stop()
    return first
  }

  @Test func realDeviceMissingAtStartIsReportedAsMissing() async {
    let first = await firstFault(opening: "/nonexistent/video9")
    #expect(first?.code == .deviceMissing)
    #expect(first?.message.contains("/nonexistent/video9") == true)
  }

  @Test func aFileThatIsNotAV4L2DeviceIsRefused() async {
    let first = await firstFault(opening: "/dev/null")
    #expect(first?.code == .notACamera)
  }
}

@Suite struct CameraHealthTests {
  @Test func statesChangeOncePerKindOfFault() {
    var health = CameraHealth()
    #expect(
      health.fault(CaptureError(.deviceMissing, ""), closesDevice: true, whileOpening: true) == .faulted(.deviceMissing)
    )
    #expect(health.fault(CaptureError(.deviceMissing, ""), closesDevice: true, whileOpening: true) == nil)
    #expect(health.frameDelivered(dropped: false) == .streaming)
    #expect(health.frameDelivered(dropped: true) == nil)
    #expect(
      health.fault(CaptureError(.deviceUnplugged, ""), closesDevice: true, whileOpening: false)
        == .faulted(.deviceUnplugged))
    #expect(
      health.fault(CaptureError(.deviceMissing, ""), closesDevice: true, whileOpening: true) == .faulted(.deviceMissing)
    )
    #expect(health.frameDelivered(dropped: false) == .streaming)
    let stats = health.statistics
    #expect(stats.framesDelivered == 3)
    #expect(stats.framesDropped == 1)
    #expect(stats.unplugs == 1)
    #expect(stats.failedOpens == 3)
    #expect(stats.recoveries == 2)
    #expect(stats.faults == ["device-missing": 3, "device-unplugged": 1])
  }

  @Test func backoffDoublesUpToTheMaximumAndResets() {
    var backoff = Backoff.Retries(Backoff(base: .milliseconds(100), cap: .milliseconds(500)))
    #expect(
      [backoff.take(), backoff.take(), backoff.take(), backoff.take()] == [
        .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(500),
      ])
    backoff.reset()
    #expect(backoff.take() == .milliseconds(100))
  }

  @Test func nearestSizeIsChosenByArea() {
    let sizes = [(320, 180), (640, 360), (1280, 720), (1920, 1080)].map {
      DeviceDescription.Size(width: UInt32($0.0), height: UInt32($0.1), stepwise: false, intervals: [])
    }
    #expect(V4L2CaptureSession.nearestSize(sizes, width: 1280, height: 720) == (1280, 720))
    #expect(V4L2CaptureSession.nearestSize(sizes, width: 1200, height: 700) == (1280, 720))
    #expect(V4L2CaptureSession.nearestSize(sizes, width: 100, height: 100) == (320, 180))
  }
}
