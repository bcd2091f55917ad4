// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import Logging
import Synchronization
import Testing

@Suite("Journal log handler")
struct JournalLogHandlerTests {
  final class Lines: Sendable {
    let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }
  }

  @Test(
    "under systemd every line starts with its syslog priority",
    arguments: [
      (Logger.Level.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
  func priorities(_ level: Logger.Level, _ priority: Int) {
    let lines = Lines()
    let logger = Logger(label: "chalkline.test") { label in
      JournalLogHandler(label: label, level: .trace, journal: true, sink: lines.append)
    }
    logger.log(level: level, "camera reopened", metadata: ["camera.device": "/dev/video0", "attempt": "3"])
    #expect(lines.all == ["<\(priority)>chalkline.test: camera reopened attempt=3 camera.device=/dev/video0"])
  }

  @Test("on a terminal lines are plain, and levels below the profile's are dropped")
  func terminal() {
    let lines = Lines()
    var logger = Logger(label: "chalkline.test") { label in
      JournalLogHandler(label: label, level: .notice, journal: false, sink: lines.append)
    }
    logger[metadataKey: "device"] = "sj-pe-0001"
    logger.info("not shown")
    logger.warning("gps lost", metadata: ["gps.state": "no fix"])
    #expect(lines.all.count == 1)
    let line = try! #require(lines.all.first)
    #expect(!line.hasPrefix("<"))
    #expect(line.hasSuffix("WARNING chalkline.test: gps lost device=sj-pe-0001 gps.state=\"no fix\""))
  }
}
