// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Hub
import HubDevTools
import Testing
import Wire

/// Guessing against the real review pages and `GET /v1/candidates` on loopback: lockouts per
/// name and per address, one audit entry per lockout, bounded fields, and the queue served
/// only as pending pages with a purpose.
@Suite struct LoginGuardTests {
  @Test func guessingANameLocksItOutAndTheLockoutIsAuditedOnce() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory, reviewers: ["officer1": "correct horse"])
      try await hub.serveWithReview(logger: testLogger) { _, reviewPort in
        try await ReviewClient.with(port: reviewPort, caPath: hub.pki.caCertificate) { client in
          var statuses: [Int] = []
          for guess in 0..<7 {
            let reply = try await client.post(
              "/login", form: [("name", "officer1"), ("password", "guess \(guess)"), ("purpose", "")])
            statuses.append(reply.status)
          }
          #expect(statuses == [401, 401, 401, 401, 401, 429, 429])
          // Locked: even the right password is refused, without a session.
          #expect(!(try await client.login(name: "officer1", password: "correct horse", purpose: "citation review")))
          // Oversized fields are refused like a wrong password.
          let huge = try await client.post(
            "/login", form: [("name", String(repeating: "n", count: 5000)), ("password", "x"), ("purpose", "")])
          #expect(huge.status == 401)
        }
      }
      let audit = try await hub.service(logger: testLogger).storage.auditEntries()
      let lockouts = audit.filter { $0.action == "review.lockout" }
      #expect(lockouts.count == 1)
      #expect(lockouts.first?.actor == "name:officer1" && lockouts.first?.outcome == "denied: locked out for 15 min")
      #expect(!audit.contains { $0.action == "review.login" })
      #expect(audit.allSatisfy { $0.actor.count < 100 && $0.purpose.count <= 128 })
    }
  }

  @Test func aLockoutSurvivesAHubRestart() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory, reviewers: ["officer1": "correct horse"])
      // Five wrong guesses lock the name; then the hub stops.
      try await hub.serveWithReview(logger: testLogger) { _, reviewPort in
        try await ReviewClient.with(port: reviewPort, caPath: hub.pki.caCertificate) { client in
          for guess in 0..<5 {
            _ = try await client.post(
              "/login", form: [("name", "officer1"), ("password", "guess \(guess)"), ("purpose", "")])
          }
          let locked = try await client.post(
            "/login", form: [("name", "officer1"), ("password", "correct horse"), ("purpose", "")])
          #expect(locked.status == 429)
        }
      }
      // A new process (new service, new guard) still refuses the name, the right password too,
      // on both the review pages and the device listener's GET /v1/candidates.
      try await hub.serveWithReview(logger: testLogger) { devicePort, reviewPort in
        try await ReviewClient.with(port: reviewPort, caPath: hub.pki.caCertificate) { client in
          let reply = try await client.post(
            "/login", form: [("name", "officer1"), ("password", "correct horse"), ("purpose", "")])
          #expect(reply.status == 429)
          #expect(!(try await client.login(name: "officer1", password: "correct horse", purpose: "citation review")))
        }
        let reviewer = try hub.pki.issue(name: "reviewer-restart")
        let (_, output) = try await runOffPool(
          "/usr/bin/curl",
          [
            "-s", "-o", "/dev/null", "-w", "%{http_code}", "--cert", reviewer.certificate, "--key", reviewer.key,
            "--cacert", hub.pki.caCertificate, "-u", "officer1:correct horse",
            "https://127.0.0.1:\(devicePort)/v1/candidates?purpose=citation%20review",
          ])
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines) == "429")
      }
      // Still one lockout entry: putting it back is not a new lockout.
      let lockouts = try await hub.service(logger: testLogger).storage.auditEntries().filter {
        $0.action == "review.lockout"
      }
      #expect(lockouts.count == 1)
    }
  }

  @Test func anEndedLockoutIsNotPutBackAfterARestart() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory, reviewers: ["officer1": "correct horse"])
      let service = try hub.service(logger: testLogger)
      let long = Date().addingTimeInterval(-3600)
      try await service.audit(
        actor: "name:officer1", purpose: "", action: "review.lockout",
        detail: "failures=5 until=\(UTCTime.format(long))", outcome: "denied: locked out for 15 min")
      #expect(
        try await hub.service(logger: testLogger).authenticate(
          name: "officer1", password: "correct horse", address: "127.0.0.1") == .allowed)
      try await service.audit(
        actor: "address:10.0.0.9", purpose: "", action: "review.lockout",
        detail: "failures=20 until=\(UTCTime.format(Date().addingTimeInterval(600)))",
        outcome: "denied: locked out for 15 min")
      let restarted = try hub.service(logger: testLogger)
      #expect(
        try await restarted.authenticate(name: "officer1", password: "correct horse", address: "127.0.0.1") == .allowed)
      guard
        case .locked = try await restarted.authenticate(
          name: "officer1", password: "correct horse", address: "10.0.0.9")
      else { Issue.record("the address lockout was not put back"); return }
    }
  }

  @Test func guessingManyNamesFromOneAddressLocksTheAddress() async throws {
    try await withTemporaryDirectory { directory in
      var policy = LoginGuard.Policy()
      policy.maxFailuresPerAddress = 6
      let hub = try LoopbackHub.create(in: directory, reviewers: ["officer1": "correct horse"], login: policy)
      try await hub.serveWithReview(logger: testLogger) { _, reviewPort in
        try await ReviewClient.with(port: reviewPort, caPath: hub.pki.caCertificate) { client in
          for n in 0..<6 {
            let reply = try await client.post(
              "/login", form: [("name", "nobody\(n)"), ("password", "x"), ("purpose", "")])
            #expect(reply.status == 401)
          }
          #expect(!(try await client.login(name: "officer1", password: "correct horse", purpose: "citation review")))
        }
      }
      let lockouts = try await hub.service(logger: testLogger).storage.auditEntries().filter {
        $0.action == "review.lockout"
      }
      #expect(lockouts.map(\.actor) == ["address:127.0.0.1"])
    }
  }

  @Test func theWindowForgetsOldFailuresAndALockoutEnds() async throws {
    let guardian = LoginGuard(
      reviewers: [.init(name: "a", passwordHash: try PasswordHash(password: "pw").encoded)], policy: .init())
    let start = Date()
    for minute in 0..<4 {
      _ = try await guardian.attempt(name: "a", password: "no", address: "1", now: start + Double(minute) * 60)
    }
    // Twenty minutes on, the first four have left the 15-minute window: four more do not lock.
    for minute in 20..<24 {
      let outcome = try await guardian.attempt(
        name: "a", password: "no", address: "1", now: start + Double(minute) * 60)
      #expect(outcome == .failed(engaged: []))
    }
    guard
      case .failed(let engaged) = try await guardian.attempt(name: "a", password: "no", address: "1", now: start + 1500)
    else { Issue.record("expected a failure that locks"); return }
    #expect(engaged.map(\.key) == ["name:a"])
    #expect(try await guardian.attempt(name: "a", password: "pw", address: "1", now: start + 1510) != .allowed)
    #expect(
      try await guardian.attempt(name: "a", password: "pw", address: "1", now: start + 1500 + 15 * 60 + 1) == .allowed)
  }

  @Test func theCandidatesCallServesOnlyPendingPagesWithAPurpose() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory, reviewers: ["officer1": "correct horse"])
      let deviceKey = Curve25519.Signing.PrivateKey()
      let device = try await hub.addDevice(name: "truck-q", deviceKey: deviceKey.publicKey, logger: testLogger)
      let reviewer = try hub.pki.issue(name: "reviewer-workstation")
      let synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
      let candidates = try (0..<5).map { try synthetic.make(plate: "8PND00\($0)", index: $0) }
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, device, port: port) { client in
          _ = try await post(CandidateBatch(candidates: candidates), over: client)
        }
        let service = try hub.service(logger: testLogger)
        try await ReviewService(hub: service).decide(
          candidates[0].id, .accept, reviewer: "officer1", purpose: "citation review")
        func curl(_ user: String, _ query: String) async throws -> (Int, String) {
          let (_, output) = try await runOffPool(
            "/usr/bin/curl",
            [
              "-s", "-w", "\n%{http_code}", "--cert", reviewer.certificate, "--key", reviewer.key, "--cacert",
              hub.pki.caCertificate, "-u", user, "https://127.0.0.1:\(port)/v1/candidates" + query,
            ])
          let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
          return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }
        let good = "officer1:correct horse"
        #expect(try await curl(good, "?purpose=citation%20review&review_state=accepted").0 == 400)
        #expect(try await curl(good, "?purpose=citation%20review&review_state=any").0 == 400)
        #expect(try await curl(good, "").0 == 400)
        let (status, body) = try await curl(good, "?purpose=citation%20review&limit=2&page=2")
        #expect(status == 200)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])
        // One batch shares its received time: the queue orders those by id.
        let queue = candidates[1...].map(\.id.uuidString).sorted()
        #expect(page.compactMap { $0["id"] as? String } == Array(queue[2...3]))
        #expect(page.allSatisfy { $0["review_state"] as? String == "pending" })
        let (_, all) = try await curl(good, "?purpose=citation%20review&limit=100000")
        let capped = try #require(try JSONSerialization.jsonObject(with: Data(all.utf8)) as? [[String: Any]])
        #expect(capped.count == 4)
        #expect(!capped.contains { $0["id"] as? String == candidates[0].id.uuidString })
        var statuses: [Int] = []
        for n in 0..<6 { statuses.append(try await curl("officer1:wrong \(n)", "?purpose=citation%20review").0) }
        #expect(statuses == [401, 401, 401, 401, 401, 429])
      }
      let audit = try await hub.service(logger: testLogger).storage.auditEntries()
      let lists = audit.filter { $0.action == "candidates.list" }
      #expect(
        lists.map(\.outcome) == [
          "denied: only pending candidates are served", "denied: only pending candidates are served",
          "denied: no purpose stated", "allowed", "allowed",
        ])
      #expect(lists[3].detail.hasPrefix("state=pending page=2 count=2"))
      #expect(audit.filter { $0.action == "review.lockout" }.count == 1)
    }
  }
}
