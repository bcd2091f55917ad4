// SPDX-License-Identifier: AGPL-3.0-or-later

#if canImport(Glibc)
  import Glibc
#endif

/// Runs blocking work (V4L2 polling and dequeuing) on a thread of its own, off the cooperative pool.
public enum BlockingThread {
  private final class Body {
    let run: @Sendable () -> Void
    init(_ run: @escaping @Sendable () -> Void) { self.run = run }
  }

  /// Starts a detached thread running `body`.
  public static func start(_ body: @escaping @Sendable () -> Void) {
    let context = Unmanaged.passRetained(Body(body)).toOpaque()
    var thread = pthread_t()
    let result = pthread_create(
      &thread, nil,
      { context in
        let body = Unmanaged<Body>.fromOpaque(context!).takeRetainedValue()
        body.run()
        return nil
      }, context)
    precondition(result == 0, "cannot start a capture thread: pthread_create returned \(result)")
    pthread_detach(thread)
  }

  /// Sleeps for `duration` in short slices, returning early once `stop()` is true.
  public static func sleep(_ duration: Duration, unless stop: () -> Bool) {
    var remaining = duration
    let slice = Duration.milliseconds(20)
    while remaining > .zero, !stop() {
      let step = min(slice, remaining)
      let micros = step.components.seconds * 1_000_000 + step.components.attoseconds / 1_000_000_000_000
      usleep(UInt32(micros))
      remaining -= step
    }
  }
}
