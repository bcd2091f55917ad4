// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation
import Synchronization

@testable import Capture

/// A scripted device for unit tests of the camera loop's fault handling (no V4L2 here: the
/// real driver is exercised in the VM test). Each open takes the next step of the script.
final class DeviceScript: Sendable {
  enum Open: Sendable {
    case fail(CaptureError.Code)
    case stream([Step])
  }
  enum Step: Sendable {
    case frame
    case corrupt
    case unplug
    /// No frame at all from here on (a stall).
    case silence
  }

  private let state: Mutex<(opens: [Open], opened: Int, closed: Int, attempts: Int)>

  init(_ opens: [Open]) { state = Mutex((opens, 0, 0, 0)) }

  /// Sessions opened, sessions closed, open attempts.
  var counts: (opened: Int, closed: Int, attempts: Int) { state.withLock { ($0.opened, $0.closed, $0.attempts) } }

  var opener: CameraSessionOpener {
    { [self] _ throws(CaptureError) in
      let next: Open = state.withLock { state in
        state.attempts += 1
        // When the script runs out the device stays missing.
        return state.opens.isEmpty ? .fail(.deviceMissing) : state.opens.removeFirst()
      }
      switch next {
      case .fail(let code): throw CaptureError(code, "scripted \(code)")
      case .stream(let steps):
        state.withLock { $0.opened += 1 }
        return ScriptedSession(steps: steps, script: self)
      }
    }
  }

  func sessionClosed() { state.withLock { $0.closed += 1 } }
}

final class ScriptedSession: CameraSession {
  let format = NegotiatedFormat(pixelFormat: .grey, width: 4, height: 2, fps: 30)
  private var steps: [DeviceScript.Step]
  private let script: DeviceScript
  private var closed = false
  private var sequence: UInt64 = 100

  init(steps: [DeviceScript.Step], script: DeviceScript) {
    self.steps = steps
    self.script = script
  }

  func nextFrame(timeout: Duration) throws(CaptureError) -> Frame? {
    guard !steps.isEmpty, case let step = steps[0], !(step.isSilence) else {
      Thread.sleep(forTimeInterval: Double(timeout.components.attoseconds) / 1e18 + Double(timeout.components.seconds))
      return nil
    }
    steps.removeFirst()
    switch step {
    case .frame:
      sequence += 1
      return Frame(
        sequence: sequence, time: Date(), pixelFormat: .grey, width: 4, height: 2,
        bytes: [UInt8](repeating: 9, count: 8))
    case .corrupt: throw CaptureError(.corruptBuffer, "scripted corrupt buffer")
    case .unplug: throw CaptureError(.deviceUnplugged, "scripted unplug")
    case .silence: return nil
    }
  }

  func close() {
    guard !closed else { return }
    closed = true
    script.sessionClosed()
  }
}

extension DeviceScript.Step {
  var isSilence: Bool { if case .silence = self { true } else { false } }
}
