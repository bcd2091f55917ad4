// SPDX-License-Identifier: AGPL-3.0-or-later
// The process the vault crash harness kills: writes to the vault until SIGKILL.
// Usage: vault-crash-writer STATE_DIR JOURNAL SEED
import Foundation
import Logging
import Vault

let arguments = CommandLine.arguments
guard arguments.count == 4, let seed = UInt64(arguments[3]) else {
  FileHandle.standardError.write(Data("usage: vault-crash-writer STATE_DIR JOURNAL SEED\n".utf8))
  exit(2)
}
var logger = Logger(label: "chalkline.vault-crash-writer")
logger.logLevel = .error
do {
  try VaultCrashWorkload.run(
    stateDirectory: URL(fileURLWithPath: arguments[1]), journal: URL(fileURLWithPath: arguments[2]), seed: seed,
    logger: logger)
} catch {
  FileHandle.standardError.write(Data("vault-crash-writer: \(error)\n".utf8))
  exit(1)
}
