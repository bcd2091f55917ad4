// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import InMemoryLogging
import Logging
import PlateReading
import Testing

/// The reader logs at every level while it reads real photos; no log message or metadata value
/// holds the text of any plate it read, nor any of their alternatives.
@Suite struct ReaderLogPrivacyTests {
  @Test func noPlateTextInTheReadersLogs() throws {
    let logs = InMemoryLogHandler()
    var logger = Logger(label: "plates.privacy") { _ in logs }
    logger.logLevel = .trace
    let reader = try PlateReader(logger: logger)
    var texts: Set<String> = []
    for name in ["us1.jpg", "us6.jpg", "car2.jpg", "a03ced3f-5a97-4e75-8106-fabfd2b8b76e.jpg"] {
      let url = try #require(SharedData.file("data/plates-us-dev/\(name)"))
      for read in try reader.read(jpeg: [UInt8](try Data(contentsOf: url))) {
        texts.insert(read.text)
        for alternative in read.alternatives { texts.insert(alternative.text) }
      }
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
