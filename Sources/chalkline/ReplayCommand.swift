// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ArgumentParser
import Capture
import ChalklineModel
import Dump
import Foundation
import Logging
import Uplink
import Vault

/// `chalkline replay DUMP --profile P`: a recorded patrol through the road's pipeline.
struct ReplayCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "replay",
    abstract: "Replay a frame dump through the whole pipeline on the dump's own clock, and summarise.",
    discussion: """
      The same code as on the road decides every sighting; a two-hour chalk window replays in
      seconds, and the same dump gives the same candidates every time. Evidence is sealed to the
      hub's key when --upstream-keys names it (chalkline-hub keys), else to a throwaway key.
      """
  )

  @Argument(help: "The frame dump (a chalkline-dump directory).")
  var dump: String

  @Option(help: "The device profile (default: the embedded replay-default.yaml, with its zones).")
  var profile: String?

  @Option(
    help: """
      fast: the dump's clock, as fast as the pipeline goes; realtime: as filmed (frames a lagging \
      reader cannot take are dropped, as on the road, and counted).
      """
  )
  var pace: DumpFrameSource.Pace = .fast

  @Option(help: "Keep the vault here instead of the profile's vault.state_dir.")
  var stateDir: String?

  @Option(
    help: "The hub's public keys (`chalkline-hub keys export`), to seal evidence to; default: uplink.upstream_keys.")
  var upstreamKeys: String?

  @Flag(help: "Print the summary as JSON.")
  var json = false

  @Option(help: "Also write the summary as JSON to this file.")
  var summaryFile: String?

  func run() async throws {
    if let profile { return try await replay(profile: profile) }
    try await ReplayDefaultProfile.withProfile { try await replay(profile: $0) }
  }

  private func replay(profile: String) async throws {
    var loaded: DeviceProfile
    do {
      loaded = try DeviceProfile.load(from: profile)
    } catch {
      FileHandle.standardError.write(Data((error.description + "\n").utf8))
      throw ExitCode(error.code == .unreadable ? 2 : 1)
    }
    if let stateDir { loaded.vault.stateDirectory = URL(fileURLWithPath: stateDir).standardizedFileURL.path }
    let level = loaded.logLevel
    let logger = Logger(label: "chalkline.replay") { JournalLogHandler(label: $0, level: level) }
    try ProcessHardening.apply(logger: logger)
    let keys = try (upstreamKeys ?? loaded.uplink?.upstreamKeys).map(UpstreamKeysFile.read)
    let vault = try ReplayRunner.openVault(
      profile: loaded, upstreamKeys: keys, replace: upstreamKeys != nil, logger: logger)
    defer { vault.closeLoggingFailure() }
    let interactive = isatty(STDERR_FILENO) == 1 && !json
    let runner = ReplayRunner(profile: loaded, dump: URL(fileURLWithPath: dump), pace: pace, logger: logger)
    var summary = try await runner.run(vault: vault) { counters in
      guard interactive else { return }
      FileHandle.standardError.write(
        Data("\r  \(counters.frames) frames, \(counters.sightings) sightings, \(counters.candidates) candidates".utf8))
    }
    if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    // With a hub in the profile the replay ends like a shift does: the outbox goes upstream.
    if let sync = try AgentDaemon.makeUplink(profile: loaded, vault: vault, logger: logger) {
      do {
        let report = try await sync.whileOpen { try await $0.syncUntilDrained(maxFailures: 8) }
        summary.synced = report.acknowledged
        summary.syncNote = "\(loaded.uplink?.url.absoluteString ?? "")"
      } catch {
        summary.synced = 0
        summary.syncNote = "not reachable, candidates stay in the vault: \(error)"
      }
      summary.outbox = try vault.pendingCandidateCount()
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    let encoded = try encoder.encode(summary)
    if let summaryFile { try encoded.write(to: URL(fileURLWithPath: summaryFile)) }
    if json {
      print(String(decoding: encoded, as: UTF8.self))
    } else {
      print(summary.lines.joined(separator: "\n"))
    }
  }
}

extension DumpFrameSource.Pace: ExpressibleByArgument {}
