// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ArgumentParser
import ChalklineModel
import Enforcement
import Foundation

/// `chalkline check-profile PROFILE`: validates a device profile and lists every problem.
struct CheckProfileCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "check-profile",
    abstract: "Check a device profile; list every problem as FILE:LINE: KEY: problem (expected …).",
    discussion: """
      Reads what `chalkline run` reads before its first frame, as it reads it: the profile, the \
      zones, policies and periods files, the hub's keys file and the uplink's certificates and key. \
      Exit status: 0 valid, 1 invalid, 2 unreadable.
      """
  )

  @Argument(help: "The device profile (YAML).")
  var profile: String

  @Option(help: "Look up absolute paths below this folder (a staged vehicle image).")
  var root: String?

  @Flag(help: "Print machine-readable JSON.")
  var json = false

  func run() async throws {
    do {
      let inputs = try await ShiftInputs.load(from: profile, root: root)
      let loaded = inputs.profile
      if json {
        try printJSON(
          ProfileCheckReport(
            file: profile, valid: true, device: loaded.deviceID.rawValue, problems: [], warnings: inputs.warnings))
      } else {
        print("\(profile): valid profile for device \(loaded.deviceID)")
        print("  " + loaded.summaryLines.joined(separator: "\n  "))
        print("  rules: \(inputs.rules.zones.count) zones, \(inputs.rules.policies.count) policies")
        for warning in inputs.warnings {
          FileHandle.standardError.write(
            Data("warning: \(warning.description) (`chalkline run` refuses to start)\n".utf8))
        }
      }
    } catch let error as FileRefusal {
      if json {
        try printJSON(ProfileCheckReport(error: error))
      } else {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
      }
      throw ExitCode(error.code == .unreadable ? 2 : 1)
    }
  }

  private func printJSON(_ report: ProfileCheckReport) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(report), as: UTF8.self))
  }
}
