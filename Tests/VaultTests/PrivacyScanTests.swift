// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import InMemoryLogging
import Logging
import Testing
import Wire

@testable import Vault

/// Stores sightings of known plates through every path (chalk marks, candidates, touches,
/// aggregates, audit, retention, key rotation), then scans every byte of every file in the state
/// directory, WAL and shared memory included, and every log message and metadata value, for
/// each plate in any letter case.
@Suite struct PrivacyScanTests {
  static let plates = ["7ABC123", "8XYZ999", "5KLM424", "CHALK42", "4QQR777"]

  @Test func noPlateTextInAnyFileOrLog() throws {
    try withTemporaryDirectory { directory in
      let logs = InMemoryLogHandler()
      var logger = Logger(label: "vault.privacy") { _ in logs }
      logger.logLevel = .trace
      let test = try TestVault(in: directory, logger: logger)
      let now = Date()
      let w = try window("privacy", expiresIn: 3600, from: now)
      let expiring = try window("privacy-old", expiresIn: 10, from: now)
      for (i, plate) in Self.plates.enumerated() {
        let alternatives = [plate, plate.lowercased(), String(plate.dropLast()) + "8"]
        let (mark, _) = try test.mark(alternatives, window: i % 2 == 0 ? w : expiring, at: now)
        try test.vault.updateLastSeen(of: mark.id, to: now.addingTimeInterval(600))
        if i < 3 {
          let second = try test.seal(alternatives)
          try test.vault.enqueueCandidate(mark.candidate(second: second, at: now), sealed: [second])
        }
      }
      try test.vault.addToAggregate(hour: now, area: .zone("zone-7"), reads: 5, chalkMarks: 5, candidates: 3)
      try test.vault.audit(actor: "technician:alice", action: "status", purpose: "check")
      _ = try test.vault.pendingCandidates()
      // Scan once with everything in the WAL (no checkpoint yet), once after retention and rotation.
      #expect(try scan(test.state), "the WAL file was not there to scan")
      try test.vault.applyRetention(now: now.addingTimeInterval(60))
      try test.vault.rotateStorageKey(actor: "t", purpose: "t")
      try scan(test.state)
      try test.vault.close()
      _ = try scan(test.state)
      for entry in logs.entries {
        let text = ([entry.message.description] + entry.metadata.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        for plate in Self.plates { #expect(!text.uppercased().contains(plate), "a log line holds a plate") }
      }
    }
  }

  /// Scans every file under `state`; returns whether a WAL file was among them.
  @discardableResult
  func scan(_ state: URL) throws -> Bool {
    let enumerator = try #require(FileManager.default.enumerator(at: state, includingPropertiesForKeys: nil))
    var files = 0
    var sawWAL = false
    for case let url as URL in enumerator {
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
        continue
      }
      files += 1
      sawWAL = sawWAL || url.lastPathComponent.hasSuffix("-wal")
      for plate in Self.plates { #expect(!url.path.uppercased().contains(plate), "a file name holds a plate") }
      let bytes = try Data(contentsOf: url)
      // Every letter case: compare the file upper-cased (ASCII) with each plate.
      let upper = Data(bytes.map { $0 >= 0x61 && $0 <= 0x7A ? $0 - 0x20 : $0 })
      // UTF-16 too, in case a text column was ever stored wide.
      for plate in Self.plates {
        #expect(upper.range(of: Data(plate.utf8)) == nil, "\(url.lastPathComponent) holds a plate")
        let wide = Data(plate.utf8.flatMap { [$0, 0] })
        #expect(upper.range(of: wide) == nil, "\(url.lastPathComponent) holds a UTF-16 plate")
      }
    }
    #expect(files >= 5)
    return sawWAL
  }
}
