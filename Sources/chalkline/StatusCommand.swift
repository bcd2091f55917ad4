// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ArgumentParser
import ChalklineModel
import Foundation
import Logging
import Uplink
import Vault

/// `chalkline status [--json]`: how the running agent is doing, from its status file.
struct StatusCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "Show the running agent's camera, GPS, reader, queue, vault and alarms (plate-free).",
    discussion: """
      Reads the status file the agent rewrites every few seconds in its state directory (mode
      0600: run it as the agent's user, e.g. `sudo -u chalkline chalkline status`). Reading it is
      an access to the vehicle's data, so it is written to the audit log first.
      Exit status: 0 running, 3 stopped or not updated for 15 s, 1 unreadable.
      """
  )

  @Option(help: "The device profile (its vault.state_dir is where the agent writes its status).")
  var profile: String = "/etc/chalkline/profile.yaml"

  @Option(help: "The agent's state directory, instead of the profile's.")
  var stateDir: String?

  @Option(help: "Who is looking, for the audit log (default: technician:$USER).")
  var actor: String?

  @Option(help: "Why, for the audit log.")
  var purpose = "agent status check"

  @Flag(help: "Print the status as JSON.")
  var json = false

  func run() async throws {
    let directory: URL
    if let stateDir {
      directory = URL(fileURLWithPath: stateDir)
    } else {
      do { directory = URL(fileURLWithPath: try DeviceProfile.load(from: profile).vault.stateDirectory) } catch {
        FileHandle.standardError.write(Data((error.description + "\n").utf8))
        throw ExitCode(error.code == .unreadable ? 2 : 1)
      }
    }
    var logger = Logger(label: "chalkline.status")
    logger.logLevel = .warning
    let who = actor ?? "technician:\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")"
    // The access is recorded before anything is shown; without an audit entry nothing is.
    do {
      let vault = try Vault(stateDirectory: directory, exclusive: false, logger: logger)
      _ = try await vault.audit(actor: who, action: "status.read", purpose: purpose)
      try vault.close()
    } catch {
      FileHandle.standardError.write(
        Data("cannot record this access in the audit log of \(directory.path): \(error)\n".utf8))
      throw ExitCode(1)
    }
    let status: AgentStatus
    do { status = try StatusFile.read(in: directory) } catch {
      FileHandle.standardError.write(Data("\(error)\n".utf8))
      throw ExitCode(1)
    }
    let age = Date().timeIntervalSince(status.updatedAt)
    let current = status.phase != .stopped && age < 15
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      encoder.dateEncodingStrategy = .iso8601
      print(String(decoding: try encoder.encode(status), as: UTF8.self))
    } else {
      print(Self.lines(status, age: age).joined(separator: "\n"))
    }
    if !current { throw ExitCode(3) }
  }

  static func lines(_ status: AgentStatus, age: TimeInterval) -> [String] {
    let c = status.counters
    let updated = String(format: "%.0f s ago", age)
    var lines = [
      "chalkline \(status.version) on \(status.deviceID) (pid \(status.pid)): \(status.phase.rawValue), "
        + "started \(status.startedAt.formatted(.iso8601)), updated \(updated)"
        + (status.phase != .stopped && age >= 15 ? " — STALE: is the agent running?" : ""),
      "camera    \(status.camera.source) \(status.camera.device): \(status.camera.state), "
        + "\(status.camera.framesDelivered) frames, \(status.camera.framesDropped) dropped by the source, "
        + "\(status.camera.faults) faults",
      "gps       \(status.gps.state), \(status.gps.fixes) fixes",
      "reader    \(String(format: "%.1f", status.readerFPS)) fps; queue \(status.queue.depth)/\(status.queue.capacity), "
        + "\(status.queue.droppedFrames) frames dropped",
      "pipeline  \(c.frames) frames (\(c.damagedFrames) damaged), \(c.plateReads) plate reads, "
        + "\(c.sightings) sightings, \(c.chalkMarks) chalk marks, \(c.candidates) candidates, "
        + "\(status.pipelineErrors) errors",
    ]
    if let vault = status.vault {
      let mib = { (bytes: Int64) in String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
      var line =
        "vault     \(mib(vault.liveBytes)) of \(mib(vault.maxBytes)); \(vault.chalkMarks) chalk marks; "
        + "backlog \(vault.pendingCandidates) candidates, \(vault.aggregatesUnsynced) aggregates"
      if let oldest = vault.oldestPendingCandidate { line += " (oldest \(oldest.formatted(.iso8601)))" }
      lines.append(line)
      if let free = vault.freeBytes {
        lines.append(
          "disk      \(mib(free)) free, \(mib(vault.reservedFreeBytes ?? 0)) kept for evidence; chalking "
            + (vault.refusingChalkMarks == true ? "REFUSED" : "on")
            + "; \(vault.diskFullFailures ?? 0) writes refused, "
            + "\(status.counters.candidatesWaitingForSpace) candidates waiting for space")
      }
      if let configured = vault.spaceReserveBytes, configured > 0 {
        let held = vault.spaceReserveHeldBytes ?? 0
        lines.append(
          "reserve   \(mib(held)) of \(mib(configured)) held against a full disk"
            + (held < configured ? " (GIVEN UP: free space)" : "")
            + "; given up \(vault.spaceReserveReleases ?? 0) times")
      }
      if let failures = vault.deleteFailures, let deferred = vault.scrubsDeferred {
        lines.append(
          "forgetting \(failures) deletions failed (retried), \(deferred) scrubs deferred"
            + (vault.scrubOwed == true ? "; a scrub is owed: deleted rows may still be in the WAL" : ""))
      }
    }
    lines.append("last sync \(status.lastSync.map { $0.formatted(.iso8601) } ?? "never")")
    if let uplink = status.uplink {
      lines.append(
        "uplink    \(uplink.connected ? "connected" : "not connected"); sent \(uplink.sent), backlog \(uplink.backlog), "
          + "refused \(uplink.rejected)"
          + (uplink.consecutiveFailures > 0 ? ", \(uplink.consecutiveFailures) failures in a row" : ""))
    }
    if let zones = status.zones { lines.append("zones     \(zones)") }
    lines.append("permits   \(status.permits ?? "no verified permit list")")
    if let watchdog = status.watchdog { lines.append("watchdog  \(watchdog)") }
    lines.append("alarms    " + (status.alarms.isEmpty ? "none" : status.alarms.joined(separator: "; ")))
    return lines
  }
}
