// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Foundation
import InMemoryLogging
import Logging
import PlateReading
import Testing

/// The reader logs at every level while it reads real photos; no log message or metadata value
/// holds the text of any plate it read, nor any of their alternatives.
@Suite struct ReaderLogPrivacyTests {
  @Test func noPlateTextInTheReadersLogs() async throws {
    let logs = InMemoryLogHandler()
    var urls: [URL] = []
    for name in ["us1.jpg", "us6.jpg", "car2.jpg", "a03ced3f-5a97-4e75-8106-fabfd2b8b76e.jpg"] {
      urls.append(try #require(TestPaths.sharedFile("data/plates-us-dev/\(name)")))
    }
    // The reads on a thread of their own, off the cooperative pool.
    let texts = try await offPool { [urls] in
      var logger = Logger(label: "plates.privacy") { _ in logs }
      logger.logLevel = .trace
      let reader = try PlateReader(logger: logger)
      var texts: Set<String> = []
      for url in urls {
        for read in try reader.read(jpeg: [UInt8](try Data(contentsOf: url))) {
          texts.insert(read.text)
          for alternative in read.alternatives { texts.insert(alternative.text) }
        }
      }
      return texts
    }
    // Texts of three or more characters: shorter ones occur in any count or timing by chance.
    let plates = texts.filter { $0.count >= 3 }
    #expect(!plates.isEmpty)
    #expect(!logs.entries.isEmpty, "the reader logged nothing: the test would prove nothing")
    for entry in logs.entries {
      let line = ([entry.message.description] + entry.metadata.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
      for plate in plates { #expect(!line.uppercased().contains(plate), "a log line holds a plate's text") }
    }
  }
}
