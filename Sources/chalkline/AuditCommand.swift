// SPDX-License-Identifier: AGPL-3.0-or-later
import ArgumentParser
import Foundation
import Vault

/// `chalkline audit verify`: checks the hash chain of the audit log.
struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit", abstract: "Inspect the audit log of every access to the vehicle's data.",
    subcommands: [Verify.self])

  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check that no audit entry was altered, removed or reordered (exit status 2 if so).")

    @OptionGroup var options: KeysCommand.VaultOptions

    @Option(help: "Why, for the audit log.")
    var purpose = "audit log verification"

    func run() throws {
      let vault = try Vault(stateDirectory: try options.stateURL(), exclusive: false, logger: options.logger)
      let result = try vault.verifyAuditLog()
      if options.json {
        var object: [String: Any] = ["intact": result.intact, "entries": result.entries, "head_hash": result.headHash]
        if let broken = result.firstBrokenSequence { object["first_broken_sequence"] = broken }
        try options.printJSON(object)
      } else if result.intact {
        print("audit log intact: \(result.entries) entries, head \(result.headHash)")
      } else {
        print(
          "audit log BROKEN at entry \(result.firstBrokenSequence ?? 0): \(result.entries) entries verified before it; "
            + "keep a copy of \(vault.stateDirectory.path) and report it")
      }
      guard result.intact else { throw ExitCode(2) }
      // Only an intact chain is extended: appending to a broken one would hide where it broke.
      try vault.audit(
        actor: options.who, action: "audit.verify", purpose: purpose, detail: "entries=\(result.entries)")
    }
  }
}
