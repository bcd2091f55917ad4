// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Hub
import Logging

/// How long a review-login lockout takes to engage: a scratch hub with one reviewer, wrong
/// passwords posted to its login page over loopback HTTPS one after another until the hub
/// answers 429, then one more guess to time a refusal while locked.
public enum LoginBenchmark {
  /// Runs it and returns the figures.
  public static func run() async throws -> [(metric: String, value: Double, unit: String)] {
    let logger = {
      var logger = Logger(label: "login-benchmark")
      logger.logLevel = .error
      return logger
    }()
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("login-bench-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    defer { try? FileManager.default.removeItem(at: directory) }
    let hub = try LoopbackHub.create(in: directory, reviewers: ["officer1": "correct horse battery"])
    let policy = hub.configuration.login
    return try await hub.serveWithReview(logger: logger) { _, reviewPort in
      try await ReviewClient.with(port: reviewPort, caPath: hub.pki.caCertificate) { client in
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
        // An unknown name costs what a known one does (the decoy hash), so names cannot be told apart.
        var unknown = 0.0
        for n in 0..<3 {
          let before = clock.now
          _ = try await client.post("/login", form: [("name", "nobody\(n)"), ("password", "guess"), ("purpose", "")])
          unknown += seconds(clock.now - before) / 3
        }
        let start = clock.now
        var guesses = 0
        var firstGuess = 0.0
        while guesses < policy.maxFailuresPerName + 5 {
          let before = clock.now
          let reply = try await client.post(
            "/login", form: [("name", "officer1"), ("password", "guess \(guesses)"), ("purpose", "")])
          if guesses == 0 { firstGuess = seconds(clock.now - before) }
          if reply.status == 429 { break }
          guesses += 1
        }
        let engaged = seconds(clock.now - start)
        let before = clock.now
        let locked = try await client.post(
          "/login", form: [("name", "officer1"), ("password", "correct horse battery"), ("purpose", "")])
        let refusal = seconds(clock.now - before)
        guard locked.status == 429 else {
          throw HubError(.invalid, "The lockout did not hold: a correct password got \(locked.status).")
        }
        let lockouts = try await hub.service(logger: logger).storage.auditEntries().filter {
          $0.action == "review.lockout"
        }
        return [
          ("login.failures_to_lockout", Double(guesses), "guesses"),
          ("login.seconds_to_lockout", engaged, "s"),
          ("login.milliseconds_per_guess", firstGuess * 1000, "ms"),
          ("login.milliseconds_per_guess_unknown_name", unknown * 1000, "ms"),
          ("login.milliseconds_per_refusal_while_locked", refusal * 1000, "ms"),
          ("login.lockout_minutes", policy.lockoutMinutes, "min"),
          ("login.audit_entries_per_lockout", Double(lockouts.count), "entries"),
        ]
      }
    }
  }
}
