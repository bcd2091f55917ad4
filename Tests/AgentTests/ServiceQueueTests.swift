// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import Capture
import ChalklineTestKit
import Enforcement
import Foundation
import Positioning
import Testing

@Suite("The queue between capture and reading")
struct ServiceQueueTests {
  private func frame(_ sequence: UInt64) -> Frame {
    Frame(
      sequence: sequence, time: Date(timeIntervalSince1970: Double(sequence)), pixelFormat: .grey, width: 1, height: 1,
      bytes: [0])
  }

  private func fix(_ second: Double) -> Fix {
    Fix(time: Date(timeIntervalSince1970: second), mode: .threeD, position: nil)
  }

  private func sequences(_ state: inout FrameQueueState) -> [UInt64] {
    var taken: [UInt64] = []
    while let work = state.take() {
      if case .frame(let frame, _) = work { taken.append(frame.sequence) }
    }
    return taken
  }

  @Test("when full the oldest frame goes and is counted; the newest are kept in order")
  func keepsNewest() {
    var state = FrameQueueState(frameCapacity: 3)
    for sequence in 0..<10 {
      let accepted = state.push(frame(UInt64(sequence)))
      #expect(accepted)
    }
    #expect(state.depth == 3)
    #expect(state.droppedFrames == 7)
    #expect(state.framesIn == 10)
    #expect(sequences(&state) == [7, 8, 9])
    #expect(state.isEmpty)
  }

  @Test("new zones first, then faults, then fixes and frames in time order (a frame is read with every fix before it)")
  func timeOrder() throws {
    var state = FrameQueueState(frameCapacity: 4, fixCapacity: 3)
    _ = state.push(frame(2))
    _ = state.push(frame(5))
    for second in [1.0, 3, 4, 6] { _ = state.push(fix(second)) }
    state.sourceFault()
    state.sourceFault()
    // Zones from two reloads: only the newest goes to the pipeline, before anything else.
    let folder = TestPaths.packageRoot.appendingPathComponent("device-profiles/zones")
    let zones = try ZonesFileLoader.load(
      zones: folder.appendingPathComponent("san-jose-downtown.json"),
      policies: folder.appendingPathComponent("san-jose-downtown-policies.json"),
      periods: folder.appendingPathComponent("san-jose-holidays.json"))
    _ = state.push(zones: zones)
    _ = state.push(zones: zones)
    // Retention ticks coalesce: one waits at most, after the faults, before fixes and frames.
    _ = state.requestRetentionTick()
    _ = state.requestRetentionTick()
    #expect(state.droppedFixes == 1)
    var order: [String] = []
    while let work = state.take() {
      switch work {
      case .sourceFaults(let count): order.append("faults \(count)")
      case .fix(let fix): order.append("fix \(Int(fix.time.timeIntervalSince1970))")
      case .frame(let frame, _): order.append("frame \(frame.sequence)")
      case .zones(let zones): order.append("zones \(zones.zones.count)")
      case .permits(let permits): order.append("permits \(permits.source)")
      case .retentionTick: order.append("tick")
      }
    }
    #expect(
      order == ["zones \(zones.zones.count)", "faults 2", "tick", "frame 2", "fix 3", "fix 4", "frame 5", "fix 6"])
  }

  @Test("a closed queue refuses input but hands out what waits")
  func closeDrains() {
    var state = FrameQueueState(frameCapacity: 4)
    _ = state.push(frame(1))
    state.close()
    let frameAccepted = state.push(frame(2))
    let fixAccepted = state.push(fix(2))
    #expect(!frameAccepted && !fixAccepted)
    #expect(sequences(&state) == [1])
    #expect(state.isClosed)
  }

  /// Waits until `condition` holds, looking again every few milliseconds without holding a
  /// thread (beside the synchronous suites the pool's two threads may both be busy for a
  /// minute); the time limit bounds it.
  private func until(_ condition: () -> Bool) async {
    while !condition() { try? await Task.sleep(for: .milliseconds(5)) }
  }

  @Test("the consumer suspends until work comes, and ends when the queue closes", .timeLimit(.minutes(10)))
  func consumerSuspends() async {
    let queue = FrameQueue(frameCapacity: 2)
    let (seen, seenInput) = AsyncStream.makeStream(of: UInt64.self)
    let consumer = Task {
      while let work = await queue.next() {
        if case .frame(let frame, _) = work { seenInput.yield(frame.sequence) }
      }
      seenInput.finish()
    }
    var taken = seen.makeAsyncIterator()
    // With nothing to take it suspends (no polling: it waits to be resumed).
    await until { queue.consumerIsWaiting }
    queue.push(frame(1))
    #expect(await taken.next() == 1)
    await until { queue.consumerIsWaiting }
    #expect(queue.snapshot.isEmpty)
    queue.push(frame(2))
    queue.close()
    #expect(await taken.next() == 2)
    #expect(await taken.next() == nil)
    await consumer.value
    #expect(!queue.consumerIsWaiting)
  }

  @Test(
    "a fast replay's push waits for room instead of dropping; a close or a cancel lets it go", .timeLimit(.minutes(10)))
  func pushWhenRoomWaits() async {
    let queue = FrameQueue(frameCapacity: 1)
    #expect(await queue.pushWhenRoom(frame(1)))
    let second = Task { await queue.pushWhenRoom(frame(2)) }
    await until { queue.producersWaiting == 1 }
    #expect(queue.snapshot.depth == 1)
    // Taking the first frame makes room: the second goes in and nothing is dropped. A frame
    // that waited for room has no arrival instant: its latency starts when it is taken.
    guard case .frame(let first, let arrived)? = await queue.next() else {
      Issue.record("no frame")
      return
    }
    #expect(first.sequence == 1 && arrived == nil)
    #expect(await second.value)
    #expect(queue.snapshot.droppedFrames == 0 && queue.snapshot.depth == 1)
    let cancelled = Task { await queue.pushWhenRoom(frame(3)) }
    await until { queue.producersWaiting == 1 }
    cancelled.cancel()
    #expect(await cancelled.value == false)
    #expect(queue.producersWaiting == 0)
    let closed = Task { await queue.pushWhenRoom(frame(4)) }
    await until { queue.producersWaiting == 1 }
    queue.close()
    #expect(await closed.value == false)
    #expect(queue.snapshot.framesIn == 2)
  }

  @Test("a waiting replay is resumed once the queue drained to half, not at every take", .timeLimit(.minutes(10)))
  func pushWhenRoomResumesAtHalf() async {
    let queue = FrameQueue(frameCapacity: 4)
    for sequence: UInt64 in 1...4 { #expect(await queue.pushWhenRoom(frame(sequence))) }
    let fifth = Task { await queue.pushWhenRoom(frame(5)) }
    await until { queue.producersWaiting == 1 }
    _ = await queue.next()
    // Three frames wait: the producer is not woken for the one free place.
    #expect(queue.producersWaiting == 1 && queue.snapshot.depth == 3)
    _ = await queue.next()
    #expect(queue.producersWaiting == 0)
    #expect(await fifth.value)
    #expect(queue.snapshot.depth == 3 && queue.snapshot.droppedFrames == 0)
  }
}
