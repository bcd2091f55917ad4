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
    #expect(state.droppedFixes == 1)
    var order: [String] = []
    while let work = state.take() {
      switch work {
      case .sourceFaults(let count): order.append("faults \(count)")
      case .fix(let fix): order.append("fix \(Int(fix.time.timeIntervalSince1970))")
      case .frame(let frame, _): order.append("frame \(frame.sequence)")
      case .zones(let zones): order.append("zones \(zones.zones.count)")
      case .permits(let permits): order.append("permits \(permits.source)")
      }
    }
    #expect(order == ["zones \(zones.zones.count)", "faults 2", "frame 2", "fix 3", "fix 4", "frame 5", "fix 6"])
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

  @Test("the consumer thread sleeps until work comes and ends when the queue closes")
  func blockingTake() async {
    let queue = FrameQueue(frameCapacity: 2)
    let taken = await withCheckedContinuation { (continuation: CheckedContinuation<[UInt64], Never>) in
      let thread = Thread {
        var seen: [UInt64] = []
        while let work = queue.take() {
          if case .frame(let frame, _) = work { seen.append(frame.sequence) }
        }
        continuation.resume(returning: seen)
      }
      thread.start()
      usleep(50_000)
      queue.push(frame(1))
      usleep(50_000)
      queue.push(frame(2))
      queue.close()
    }
    #expect(taken == [1, 2])
  }
}
