// SPDX-License-Identifier: AGPL-3.0-or-later

import Synchronization

/// How writing the status file goes: failures since the start (a full disk), and whether the
/// last write failed, so the journal hears of an outage once when it starts and once when it ends.
final class StatusWriteRecord: Sendable {
  private struct State {
    var failures = 0
    var failing = false
  }

  private let state = Mutex(State())

  /// Failures since the agent started.
  var failures: Int { state.withLock { $0.failures } }

  /// Counts a failure; returns whether it is the first of an outage.
  func failed() -> Bool {
    state.withLock { state in
      state.failures += 1
      defer { state.failing = true }
      return !state.failing
    }
  }

  /// Records a success; returns the failures so far when it ends an outage.
  func succeeded() -> Int? {
    state.withLock { state in
      defer { state.failing = false }
      return state.failing ? state.failures : nil
    }
  }
}
