// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel

/// Runs long synchronous work (a minute of inference, a crash harness, a wait for a VM) on a thread of
/// its own and awaits its result, so that a test never holds one of the cooperative pool's threads
/// while the suites beside it serve HTTPS or wait for gpsd on the others.
public func offPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
  try await withCheckedThrowingContinuation { continuation in
    BlockingThread.start {
      continuation.resume(with: Result { try body() })
    }
  }
}
