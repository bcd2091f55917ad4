// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Positioning

/// gpsd's JSON, through every reader the agent has of it.
enum FuzzGPSD {
  static func run(_ input: Data) {
    // The one reader of a dump's gps.jsonl and the fixes a replay takes from it.
    let log = GPSDLog(data: input)
    let gate = FixQuality()
    for fix in log.fixes.sorted(by: { $0.time < $1.time }) {
      _ = gate.verdictIgnoringAge(for: fix)
      _ = fix.tpvLine
    }
    // The live client hands gpsd's lines one by one to the same decoder.
    for line in String(decoding: input, as: UTF8.self).split(separator: "\n").prefix(64) {
      _ = GPSDReport.decode(line: line)
    }
  }
}
