// SPDX-License-Identifier: AGPL-3.0-or-later
// The process the vault crash harness kills: writes to the vault until SIGKILL.
// Usage: vault-crash-writer STATE_DIR JOURNAL SEED [FOCUS]  (FOCUS: retention, shredding, rotation,
// acknowledgement: repeat that operation, see VaultCrashFocus)
import ChalklineBench
import Foundation
import Logging
import Vault

let arguments = CommandLine.arguments
guard (4...5).contains(arguments.count), let seed = UInt64(arguments[3]),
  arguments.count == 4 || VaultCrashFocus(rawValue: arguments[4]) != nil
else {
  let foci = VaultCrashFocus.allCases.map(\.rawValue).joined(separator: "|")
  FileHandle.standardError.write(Data("usage: vault-crash-writer STATE_DIR JOURNAL SEED [\(foci)]\n".utf8))
  exit(2)
}
var logger = Logger(label: "chalkline.vault-crash-writer")
logger.logLevel = .error
do {
  try VaultCrashWorkload.run(
    stateDirectory: URL(fileURLWithPath: arguments[1]), journal: URL(fileURLWithPath: arguments[2]), seed: seed,
    focus: arguments.count == 5 ? VaultCrashFocus(rawValue: arguments[4]) : nil, logger: logger)
} catch {
  FileHandle.standardError.write(Data("vault-crash-writer: \(error)\n".utf8))
  exit(1)
}
