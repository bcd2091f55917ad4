// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Synchronization

/// Audit entries the vault could not write (a full disk), kept in order to be written again.
/// Bounded: entries come from rare events (a reload, a document put in force); past `capacity`
/// the oldest waiting one is dropped, counted, and the loss itself logged.
final class PendingAudits: Sendable {
  /// One entry, with the time of the event it records.
  struct Entry: Sendable {
    var actor: String
    var action: String
    var purpose: String
    var detail: String
    var time: Date
  }

  private struct State {
    var entries: [Entry] = []
    var failures = 0
    var dropped = 0
  }

  static let capacity = 1000
  private let state = Mutex(State())

  /// Keeps an entry that failed; returns how many wait.
  func keep(_ entry: Entry) -> (waiting: Int, dropped: Int) {
    state.withLock { state in
      state.failures += 1
      state.entries.append(entry)
      if state.entries.count > Self.capacity {
        state.entries.removeFirst()
        state.dropped += 1
      }
      return (state.entries.count, state.dropped)
    }
  }

  /// The entries waiting, oldest first.
  var waiting: [Entry] { state.withLock { $0.entries } }

  /// Writes failed since the start.
  var failures: Int { state.withLock { $0.failures } }

  /// Forgets the first `count` entries (written).
  func written(_ count: Int) {
    state.withLock { $0.entries.removeFirst(min(count, $0.entries.count)) }
  }
}
