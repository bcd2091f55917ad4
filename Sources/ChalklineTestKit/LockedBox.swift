// SPDX-License-Identifier: AGPL-3.0-or-later

import Synchronization

/// A value shared between tasks and `@Sendable` closures in tests: every access holds its mutex.
/// The one lock box of the test suites.
public final class LockedBox<Value: Sendable>: Sendable {
  private let state: Mutex<Value>

  public init(_ value: Value) { state = Mutex(value) }

  /// The value now; setting it replaces it.
  public var value: Value {
    get { state.withLock { $0 } }
    set { state.withLock { $0 = newValue } }
  }

  /// Changes the value in place and returns what `body` returns, under one hold of the mutex.
  @discardableResult
  public func mutate<T: Sendable>(_ body: (inout Value) -> T) -> T {
    state.withLock { body(&$0) }
  }
}
