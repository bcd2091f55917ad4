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
    /// The verified permit list in force; nil before one verified.
    var permits: PermitsInForce?
    /// Why the newest permit list could not be put in force; nil after a good one.
    var permitsRefused: String?
  }

  private let values: Mutex<Values>

  init(profile: DeviceProfile, camera: AgentStatus.Camera, zones: ZonesInForce, permits: PermitsInForce? = nil) {
    values = Mutex(Values(profile: profile, camera: camera, zones: zones, permits: permits))
  }

  var snapshot: Values { values.withLock { $0 } }

  func update<T>(_ body: (inout Values) -> T) -> T { values.withLock { body(&$0) } }

  /// A frame or fault came from the source.
  func sourceEvent(frame: Bool) {
    values.withLock {
      $0.sourceEvents += 1
      if frame { $0.camera.framesDelivered += 1 } else { $0.camera.faults += 1 }
    }
  }

  /// Waits (polling, cancellable) until the generation moves past `generation` or a stop is requested.
  func waitForChange(from generation: Int) async {
    while !Task.isCancelled {
      let changed = values.withLock { $0.generation != generation || $0.stopRequested }
      if changed { return }
      try? await Task.sleep(for: .milliseconds(200))
    }
  }
}
