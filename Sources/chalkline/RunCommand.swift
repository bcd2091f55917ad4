// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ArgumentParser
import Capture
import ChalklineModel
import CoreMetrics
import Dump
import Foundation
import Logging
import Vault

/// `chalkline run --profile P`: the agent daemon, as systemd starts it.
struct RunCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run the agent: camera and gpsd through the pipeline into the vault, until SIGTERM.",
    discussion: """
      Reports to systemd (Type=notify): READY=1 once the pipeline runs, STATUS= with frames,
      sightings and candidates, and WATCHDOG=1 only while frames progress through the pipeline.
      SIGHUP reloads the profile (a broken one is refused and the running one kept); SIGTERM
      finishes the sightings in flight and stops. `chalkline status` shows how it is doing.

      Test and field-test hooks (hidden options): --replay-dump DIR takes frames and fixes from a
      frame dump instead of the camera and gpsd, played in real time and looped;
      CHALKLINE_TEST_STALL_AFTER=N in the environment makes the pipeline hang after N frames, so
      the watchdog can be seen to restart the agent.
      """
  )

  @Option(help: "The device profile.")
  var profile: String = "/etc/chalkline/profile.yaml"

  @Option(help: .hidden)
  var replayDump: String?

  @Option(help: .hidden)
  var replayPace: DumpFrameSource.Pace = .realtime

  @Flag(help: .hidden)
  var replayOnce = false

  @Option(help: "Frames that may wait between the camera and the reader (the newest are kept).")
  var queue = 8

  func validate() throws {
    guard queue > 0 else { throw ValidationError("--queue must be at least 1") }
  }

  func run() async throws {
    // What `check-profile` checks, read by the same function: a profile it passes starts.
    let inputs: ShiftInputs
    do { inputs = try await ShiftInputs.load(from: profile) } catch {
      FileHandle.standardError.write(Data((error.description + "\n").utf8))
      throw ExitCode(error.code == .unreadable ? 2 : 1)
    }
    let loaded = inputs.profile
    let level = loaded.logLevel
    let logger = Logger(label: "chalkline.agent") { JournalLogHandler(label: $0, level: level) }
    try ProcessHardening.apply(logger: logger)
    var options = AgentDaemon.Options(profilePath: profile)
    options.replayDump = replayDump.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
    options.replayPace = replayPace
    options.replayLoop = !replayOnce
    options.queueCapacity = queue
    if let text = ProcessInfo.processInfo.environment["CHALKLINE_TEST_STALL_AFTER"] {
      guard let frames = Int(text), frames >= 0 else {
        throw ValidationError("CHALKLINE_TEST_STALL_AFTER must be a number of frames, not \(text)")
      }
      options.stallAfter = frames
    }
    if options.replayDump != nil || options.stallAfter != nil {
      logger.warning(
        "test hook in use: this agent is not reading the road",
        metadata: [
          "replay.dump": "\(options.replayDump ?? "-")",
          "test.stall_after": "\(options.stallAfter.map { "\($0)" } ?? "-")",
        ])
    }
    // On the road evidence is sealed to the hub only: never to a throwaway key (see openVault).
    let vault: Vault
    do {
      vault = try ReplayRunner.openVault(
        profile: loaded, upstreamKeys: inputs.upstreamKeys, withoutKeys: .refuse, logger: logger)
    } catch let problem as UpstreamKeysFile.Problem {
      logger.critical("\(problem.description)")
      FileHandle.standardError.write(Data("\(problem.description)\n".utf8))
      throw ExitCode(1)
    }
    defer { vault.closeLoggingFailure() }
    // The process's metrics system is the agent's Prometheus registry; the daemon's metrics are
    // made on the same factory.
    let metrics = AgentMetrics()
    MetricsSystem.bootstrap(metrics.factory)
    let daemon = AgentDaemon(profile: loaded, options: options, vault: vault, metrics: metrics, logger: logger)
    do {
      _ = try await daemon.run(signals: await DaemonSignal.events())
    } catch let failure as AgentDaemon.Failure {
      logger.critical("\(failure.message)", metadata: ["error.cause": "\(failure.cause.map { "\($0)" } ?? "-")"])
      throw ExitCode(1)
    }
  }
}
