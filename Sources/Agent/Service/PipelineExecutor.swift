// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineModel
import DequeModule
import Foundation

/// A task executor over one thread of its own, for the pipeline's blocking work (plate
/// inference, SQLite): a task that prefers it runs its jobs there, one after another, so that
/// work never holds a thread of the cooperative pool (two threads on the vehicle's two cores).
///
/// `shutdown()` lets the thread run what is queued, then end.
public final class PipelineExecutor: TaskExecutor, @unchecked Sendable {
  // @unchecked: `jobs` and `shuttingDown` are only touched with `condition` locked.
  private let condition = NSCondition()
  private var jobs: Deque<UnownedJob> = []
  private var shuttingDown = false

  /// Starts the executor's thread.
  public init() {
    BlockingThread.start { [self] in run() }
  }

  public func enqueue(_ job: consuming ExecutorJob) {
    let job = UnownedJob(job)
    condition.withLock {
      jobs.append(job)
      condition.signal()
    }
  }

  /// Ends the thread once the jobs queued so far have run.
  public func shutdown() {
    condition.withLock {
      shuttingDown = true
      condition.signal()
    }
  }

  private func run() {
    while true {
      condition.lock()
      while jobs.isEmpty, !shuttingDown { condition.wait() }
      let job = jobs.popFirst()
      condition.unlock()
      guard let job else { return }
      job.runSynchronously(on: asUnownedTaskExecutor())
    }
  }
}
