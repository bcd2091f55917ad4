// SPDX-License-Identifier: AGPL-3.0-or-later
import Synchronization

/// A value behind a `Mutex`, in a class so that it can be shared by reference.
final class LockedValue<Value: Sendable>: Sendable {
  private let mutex: Mutex<Value>

  init(_ value: Value) { mutex = Mutex(value) }

  func withLock<Result: Sendable>(_ body: (inout Value) -> Result) -> Result {
    mutex.withLock { value in body(&value) }
  }
}
