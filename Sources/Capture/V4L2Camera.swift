// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Logging
import Synchronization

/// The camera on the road: a V4L2 device streamed with mmap buffers on a thread of its own.
///
/// Faults never end the stream. A missing device, an unplug, a stall, a refused format are
/// retried with exponential backoff; corrupt buffers are skipped. Each is counted, reported as a
/// `.fault` event, and logged once per change of state; streaming resumes when the device does.
/// Frames wait in a bounded buffer; when the consumer lags the oldest is dropped and counted.
public final class V4L2Camera: FrameSource, Sendable {
  /// The configuration it runs with.
  public let configuration: CameraConfiguration
  private let logger: Logger
  private let opener: CameraSessionOpener
  private let shared = Mutex(Shared())

  private struct Shared {
    var health = CameraHealth()
    /// Each `events()` call starts a run with the next number; runs up to `stoppedThrough` must stop.
    var latestRun = 0
    var stoppedThrough = 0
    var runningThreads = 0
    var stopWaiters: [CheckedContinuation<Void, Never>] = []
  }

  /// Creates a camera for `configuration`. Nothing is opened until `events()` is iterated.
  public convenience init(configuration: CameraConfiguration, logger: Logger) {
    self.init(configuration: configuration, logger: logger) { configuration throws(CaptureError) in
      try V4L2CaptureSession(configuration: configuration, logger: logger)
    }
  }

  /// Creates a camera whose device sessions come from `opener` (tests script faults this way).
  package init(configuration: CameraConfiguration, logger: Logger, opener: @escaping CameraSessionOpener) {
    self.configuration = configuration
    self.logger = logger
    self.opener = opener
  }

  /// What the camera has counted so far.
  public var statistics: CaptureStatistics { shared.withLock { $0.health.statistics } }

  /// The current state.
  package var state: CameraHealth.State { shared.withLock { $0.health.state } }

  /// Starts the capture thread. The stream ends after `stop()` or when the consumer stops
  /// iterating; the device is closed before it ends. A new call stops the stream before it.
  public func events() -> AsyncStream<FrameEvent> {
    let (stream, continuation) = AsyncStream.makeStream(
      of: FrameEvent.self, bufferingPolicy: .bufferingNewest(max(1, configuration.queuedFrames)))
    let run = shared.withLock { state in
      state.stoppedThrough = state.latestRun
      state.latestRun += 1
      state.runningThreads += 1
      return state.latestRun
    }
    continuation.onTermination = { [weak self] _ in
      self?.shared.withLock { $0.stoppedThrough = max($0.stoppedThrough, run) }
    }
    BlockingThread.start { [self] in
      self.run(run, continuation)
      let waiters = shared.withLock { state in
        state.runningThreads -= 1
        guard state.runningThreads == 0 else { return [CheckedContinuation<Void, Never>]() }
        defer { state.stopWaiters = [] }
        return state.stopWaiters
      }
      continuation.finish()
      for waiter in waiters { waiter.resume() }
    }
    return stream
  }

  /// Asks the capture thread to stop; the device is closed and the stream ends.
  public func requestStop() {
    shared.withLock { $0.stoppedThrough = $0.latestRun }
  }

  /// Stops and waits until the device is closed.
  public func stop() async {
    requestStop()
    await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
      let done = shared.withLock { state in
        if state.runningThreads == 0 { return true }
        state.stopWaiters.append(waiter)
        return false
      }
      if done { waiter.resume() }
    }
  }

  private func stopped(_ run: Int) -> Bool { shared.withLock { run <= $0.stoppedThrough } }

  // MARK: - The capture thread

  private func run(_ run: Int, _ continuation: AsyncStream<FrameEvent>.Continuation) {
    var stopRequested: Bool { stopped(run) }
    var backoff = Backoff.Retries(Backoff(base: configuration.initialBackoff, cap: configuration.maximumBackoff))
    var sequence: UInt64 = 0
    let poll = min(configuration.stallTimeout, .milliseconds(250))
    while !stopRequested {
      let session: any CameraSession
      do throws(CaptureError) {
        session = try opener(configuration)
      } catch {
        report(error, closesDevice: true, whileOpening: true, retryIn: backoff.next, continuation)
        BlockingThread.sleep(backoff.take()) { self.stopped(run) }
        continue
      }
      logger.debug(
        "camera opened",
        metadata: [
          "camera.device": "\(configuration.device)", "camera.format": "\(session.format.pixelFormat)",
          "camera.size": "\(session.format.width)x\(session.format.height)",
          "camera.fps": "\(session.format.fps.map { "\($0)" } ?? "driver default")",
        ])
      var lastFrame = ContinuousClock.now
      while !stopRequested {
        do throws(CaptureError) {
          guard var frame = try session.nextFrame(timeout: poll) else {
            if !stopRequested, ContinuousClock.now - lastFrame >= configuration.stallTimeout {
              throw CaptureError(
                .stalled,
                "Camera \(configuration.device) sent no frame for \(configuration.stallTimeout): "
                  + "reopening it; check its cable and power if this repeats")
            }
            continue
          }
          frame.sequence = sequence
          sequence += 1
          lastFrame = ContinuousClock.now
          backoff.reset()
          let dropped: Bool
          if case .dropped = continuation.yield(.frame(frame)) { dropped = true } else { dropped = false }
          let change = shared.withLock { $0.health.frameDelivered(dropped: dropped) }
          if change != nil {
            logger.notice(
              "camera streaming",
              metadata: [
                "camera.device": "\(configuration.device)", "camera.format": "\(session.format.pixelFormat)",
                "camera.size": "\(session.format.width)x\(session.format.height)",
              ])
          }
        } catch  where error.code == .corruptBuffer {
          lastFrame = ContinuousClock.now
          report(error, closesDevice: false, whileOpening: false, retryIn: nil, continuation)
        } catch {
          session.close()
          report(error, closesDevice: true, whileOpening: false, retryIn: backoff.next, continuation)
          BlockingThread.sleep(backoff.take()) { self.stopped(run) }
          break
        }
      }
      if !stopRequested { continue }
      session.close()
    }
    logger.debug("camera stopped", metadata: ["camera.device": "\(configuration.device)"])
  }

  private func report(
    _ error: CaptureError, closesDevice: Bool, whileOpening: Bool, retryIn: Duration?,
    _ continuation: AsyncStream<FrameEvent>.Continuation
  ) {
    let change = shared.withLock {
      $0.health.fault(error, closesDevice: closesDevice, whileOpening: whileOpening)
    }
    continuation.yield(.fault(error))
    guard change != nil else { return }
    var metadata: Logger.Metadata = [
      "camera.device": "\(configuration.device)", "camera.fault": "\(error.code)",
    ]
    if let cause = error.cause { metadata["error.cause"] = "\(cause)" }
    if let retryIn { metadata["camera.retry_in"] = "\(retryIn)" }
    logger.warning("\(error.message)", metadata: metadata)
  }
}
