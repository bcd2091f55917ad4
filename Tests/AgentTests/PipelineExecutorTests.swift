// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import Foundation
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// The pipeline's blocking work runs on a thread of its own, never on the cooperative pool.
@Suite("The pipeline's executor")
struct PipelineExecutorTests {
  @Test("work that prefers it runs on its one thread, and a job blocking that thread leaves the pool free")
  func oneThreadOffThePool() async {
    let executor = PipelineExecutor()
    defer { executor.shutdown() }
    var threads: Set<UInt> = []
    for _ in 0..<20 {
      threads.insert(await withTaskExecutorPreference(executor) { UInt(pthread_self()) })
      await Task.yield()
    }
    #expect(threads.count == 1)
    let pool = await Task.detached { UInt(pthread_self()) }.value
    #expect(!threads.contains(pool))

    // While a job blocks the executor's thread, pool tasks still run to the end (they release it).
    let released = DispatchSemaphore(value: 0)
    async let blocked: Bool = withTaskExecutorPreference(executor) {
      released.wait(timeout: .now() + 600) == .success
    }
    let done = await withTaskGroup(of: Int.self) { group in
      for index in 0..<8 { group.addTask { index } }
      return await group.reduce(0, +)
    }
    released.signal()
    #expect(done == 28)
    #expect(await blocked)
  }
}
