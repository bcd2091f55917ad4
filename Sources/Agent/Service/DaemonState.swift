// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import Foundation
import Positioning
import Synchronization

/// What the daemon's tasks share: the profile in force, the sources' states, and the requests
/// that make the sources restart (a reload) or stop (shutdown).
final class DaemonState: Sendable {
  struct Values: Sendable {
    var profile: DeviceProfile
    var phase: AgentStatus.Phase = .starting
    /// Bumped when a reload changes the camera or GPS settings: the sources restart with them.
    var generation = 0
    var stopRequested = false
    var camera: AgentStatus.Camera
    /// The live camera, whose own statistics are read for the status.
    var liveCamera: V4L2Camera?
    var gps = AgentStatus.GPS(state: "starting")
    /// Frames and faults the frame source delivered, ever (the watchdog's sign of a live source).
    var sourceEvents = 0
    var watchdog: WatchdogGate.Verdict?
    /// The zones the pipeline enforces (or is about to, once it takes them from the queue).
    var zones: ZonesInForce
    /// Why the last zones reload was refused; nil after a good one.
    var zonesRefused: String?
    /// Why the last SIGHUP's profile was refused (the running profile stayed); nil after a good one.
    var profileRefused: String?
    /// The verified permit list in force; nil before one verified.
    var permits: PermitsInForce?
    /// Why the newest permit list could not be put in force; nil after a good one.
    var permitsRefused: String?
  }

  private let values: Mutex<Values>
  /// Tasks in ``waitForChange(from:)``, by ticket, resumed when the generation moves or a stop
  /// is requested.
  private let waiters = Mutex<(next: Int, waiting: [Int: CheckedContinuation<Void, Never>])>((0, [:]))

  init(profile: DeviceProfile, camera: AgentStatus.Camera, zones: ZonesInForce, permits: PermitsInForce? = nil) {
    values = Mutex(Values(profile: profile, camera: camera, zones: zones, permits: permits))
  }

  var snapshot: Values { values.withLock { $0 } }

  func update<T>(_ body: (inout Values) -> T) -> T {
    let (result, changed) = values.withLock { values in
      let before = (values.generation, values.stopRequested)
      let result = body(&values)
      return (result, before != (values.generation, values.stopRequested))
    }
    if changed {
      let waiting = waiters.withLock { waiters in
        defer { waiters.waiting.removeAll() }
        return Array(waiters.waiting.values)
      }
      for waiter in waiting { waiter.resume() }
    }
    return result
  }

  /// A frame or fault came from the source.
  func sourceEvent(frame: Bool) {
    values.withLock {
      $0.sourceEvents += 1
      if frame { $0.camera.framesDelivered += 1 } else { $0.camera.faults += 1 }
    }
  }

  /// Returns once the generation moved past `generation` or a stop is requested (or the task is
  /// cancelled); it suspends meanwhile, woken by the ``update(_:)`` that changed them.
  func waitForChange(from generation: Int) async {
    let ticket = waiters.withLock { waiters in
      defer { waiters.next += 1 }
      return waiters.next
    }
    await withTaskCancellationHandler {
      await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        // Registered under the waiters' lock after looking: an update in between resumes it.
        let ready = waiters.withLock { waiters in
          let changed = values.withLock { $0.generation != generation || $0.stopRequested }
          if changed || Task.isCancelled { return true }
          waiters.waiting[ticket] = continuation
          return false
        }
        if ready { continuation.resume() }
      }
    } onCancel: {
      waiters.withLock { $0.waiting.removeValue(forKey: ticket) }?.resume()
    }
  }
}
