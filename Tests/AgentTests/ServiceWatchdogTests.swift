// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import Testing

@Suite("The watchdog follows the pipeline's progress")
struct ServiceWatchdogTests {
  typealias Look = (framesRead: Int, sourceEvents: Int, idle: Bool, now: Double, ping: Bool, verdict: String)

  private func run(_ looks: [Look]) {
    var gate = WatchdogGate(patience: 10)
    for (index, look) in looks.enumerated() {
      let decision = gate.look(
        at: .init(framesRead: look.framesRead, sourceEvents: look.sourceEvents, pipelineIdle: look.idle),
        now: look.now)
      #expect(decision.ping == look.ping, "look \(index)")
      #expect(decision.verdict.rawValue == look.verdict, "look \(index)")
    }
  }

  @Test("frames read keep it pinging")
  func frames() {
    run([
      (0, 0, true, 0, true, "progressing"), (5, 6, false, 2, true, "progressing"),
      (9, 12, false, 4, true, "progressing"),
    ])
  }

  @Test("a slow reader pings at each frame and is not called stalled within the patience")
  func slowReader() {
    run([
      (0, 0, false, 0, true, "progressing"), (0, 4, false, 2, false, "progressing"),
      (1, 8, false, 4, true, "progressing"), (1, 12, false, 6, false, "progressing"),
    ])
  }

  @Test("a pipeline stuck in a frame while frames keep coming stops the pings")
  func stuckPipeline() {
    run([
      (3, 3, false, 0, true, "progressing"), (3, 40, false, 2, false, "progressing"),
      (3, 80, false, 11, false, "pipeline-stalled"), (3, 120, false, 20, false, "pipeline-stalled"),
      (4, 160, false, 22, true, "progressing"),
    ])
  }

  @Test("an idle pipeline pings while the source reports faults (a camera being reopened is alive)")
  func reconnectingCamera() {
    run([
      (3, 3, true, 0, true, "progressing"), (3, 4, true, 2, true, "progressing"), (3, 5, true, 4, true, "progressing"),
    ])
  }

  @Test("a silent source stops the pings")
  func silentSource() {
    run([
      (3, 3, true, 0, true, "progressing"), (3, 3, true, 2, false, "progressing"),
      (3, 3, true, 12, false, "source-silent"),
    ])
  }
}
