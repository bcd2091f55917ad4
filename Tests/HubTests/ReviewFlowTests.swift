// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import HubDevTools
import HubOversight
import Mustache
import NIOHTTP1
import Testing
import Wire

@testable import Hub

/// The review pages over HTTPS without a browser: login, purpose, CSRF, decisions, exports.
@Suite struct ReviewFlowTests {
  @Test func pagesRefuseWithoutLoginPurposeOrCSRFAndEveryRefusalIsAudited() async throws {
    try await withTemporaryDirectory { directory in
      let (fixture, candidates, device) = try await ReviewFixture.create(in: directory, plates: ["8SEC001"])
      let id = fixture.ids[0].uuidString
      try await fixture.hub.serveWithReview(logger: testLogger) { devicePort, reviewPort in
        try await withConnection(fixture.hub, device, port: devicePort) { client in
          _ = try await post(CandidateBatch(candidates: candidates), over: client)
        }
        try await ReviewClient.with(port: reviewPort, caPath: fixture.hub.pki.caCertificate) { client in
          let anonymous = try await client.get("/queue")
          #expect(anonymous.status == 303 && anonymous.headers["Location"].first == "/login")
          #expect(try await client.get("/candidates/\(id)/sightings/0/plate").status == 303)
          #expect(try await client.post("/candidates/\(id)/decision", form: [("action", "accept")]).status == 401)
          #expect(!(try await client.login(name: "officer1", password: "wrong", purpose: "")))
          // Logged in without a purpose: every view must state one.
          #expect(try await client.login(name: "officer1", password: ReviewFixture.password, purpose: ""))
          #expect(try await client.get("/queue").status == 403)
          #expect(try await client.get("/queue?purpose=curiosity").status == 403)
          let queue = try await client.get("/queue?purpose=appeal")
          #expect(queue.status == 200 && queue.text.contains(id))
          #expect(!queue.text.contains("8SEC001"))
          let picture = try await client.get("/candidates/\(id)/sightings/1/vehicle?purpose=appeal")
          #expect(picture.status == 200 && picture.headers["Content-Type"].first == "image/jpeg")
          #expect(picture.headers["Cache-Control"].first == "no-store, max-age=0")
          #expect(picture.body.prefix(2) == Data([0xFF, 0xD8]))
          let page = try await client.get("/candidates/\(id)?purpose=appeal")
          #expect(page.text.contains("8SEC001"))
          // The vehicle by name, and the curb zone's outline drawn around the sightings.
          #expect(page.text.contains("<dd id=\"vehicle\">truck-9</dd>"))
          #expect(page.text.contains("<polygon id=\"zone-outline\""))
          let token = try #require(ReviewClient.csrf(in: page.text))
          let forged = try await client.post(
            "/candidates/\(id)/decision", form: [("action", "accept"), ("purpose", "appeal")])
          #expect(forged.status == 403)
          let wrongToken = try await client.post(
            "/candidates/\(id)/decision", form: [("action", "accept"), ("purpose", "appeal"), ("csrf", "x")])
          #expect(wrongToken.status == 403)
          let noPurpose = try await client.post(
            "/candidates/\(id)/decision", form: [("action", "accept"), ("csrf", token)])
          #expect(noPurpose.status == 403)
          let accepted = try await client.post(
            "/candidates/\(id)/decision", form: [("action", "accept"), ("purpose", "appeal"), ("csrf", token)])
          #expect(accepted.status == 303)
          let again = try await client.post(
            "/candidates/\(id)/decision",
            form: [("action", "reject"), ("reason", "moved"), ("purpose", "appeal"), ("csrf", token)])
          #expect(again.status == 409)
          #expect(try await client.post("/logout", form: [("csrf", token)]).status == 303)
          #expect(try await client.get("/queue?purpose=appeal").status == 303)
        }
      }
      let storage = try fixture.hub.service(logger: testLogger).storage
      #expect(try await storage.decision(candidateID: fixture.ids[0])?.outcome == .accepted)
      let audit = try await storage.auditEntries()
      let outcomes = audit.map(\.outcome)
      // One wrong guess is not audited by itself; a lockout is, once (LoginGuardTests).
      #expect(!outcomes.contains("denied: name or password wrong"))
      #expect(!audit.contains { $0.action == "review.lockout" })
      #expect(outcomes.contains("denied: no purpose stated"))
      #expect(outcomes.contains("denied: purpose not allowed"))
      #expect(outcomes.filter { $0 == "denied: CSRF token missing or wrong" }.count == 2)
      #expect(outcomes.contains("denied: already decided"))
      #expect(audit.contains { $0.action == "review.picture" && $0.purpose == "appeal" && $0.outcome == "allowed" })
      #expect(!audit.contains { $0.detail.contains("8SEC001") })
      #expect(!fixture.databaseText().contains("8SEC001"))
    }
  }

  @Test func aCandidateWhoseEvidenceRetentionDeletedStillOpensAndSaysSo() async throws {
    try await withTemporaryDirectory { directory in
      let (fixture, candidates, _) = try await ReviewFixture.create(in: directory, plates: ["6REJ222"])
      let service = try fixture.hub.service(logger: testLogger)
      guard let record = try await service.storage.devices().first else { throw HubError(.storage, "no device") }
      _ = try await service.ingest(CandidateBatch(candidates: candidates), from: record)
      let review = ReviewService(hub: service)
      try await review.decide(
        fixture.ids[0], .reject(.moved, note: ""), reviewer: "officer1", purpose: "citation review")
      // A month and a day later, retention deletes the rejected candidate's evidence.
      _ = try await HubRetention.run(
        database: try OversightDatabase(path: fixture.hub.configuration.database), policy: RetentionPolicy(),
        now: Date().addingTimeInterval(31 * 86_400), logger: testLogger, audit: nil)
      let opened = try await review.open(fixture.ids[0], reviewer: "officer1", purpose: "appeal")
      #expect(opened.captures.isEmpty)
      let html = try ReviewTemplates.library().render(
        ReviewPages.candidate(opened, chrome: [:], purpose: "appeal"), withTemplate: "candidate")
      #expect(html?.contains("Evidence deleted under the retention policy.") == true)
      #expect(html?.contains("<img class=\"plate\"") == false)
    }
  }

  @Test func correctionsAreSealedAndExportsCarryAcceptedAndCorrectedOnly() async throws {
    try await withTemporaryDirectory { directory in
      let plates = ["6ACC111", "6REJ222", "6MIS333"]
      let (fixture, candidates, device) = try await ReviewFixture.create(in: directory, plates: plates)
      let service = try fixture.hub.service(logger: testLogger)
      guard let record = try await service.storage.devices().first else { throw HubError(.storage, "no device") }
      _ = device
      _ = try await service.ingest(CandidateBatch(candidates: candidates), from: record)
      try await service.publishAll()
      let review = ReviewService(hub: service)
      try await review.decide(fixture.ids[0], .accept, reviewer: "officer1", purpose: "citation review")
      try await review.decide(
        fixture.ids[1], .reject(.hasPermit, note: ""), reviewer: "officer2", purpose: "citation review")
      let typed = try #require(TypedPlate("6mjs-333"))
      #expect(typed.text == "6MJS333")
      #expect(TypedPlate("6MJS333;DROP") == nil && TypedPlate("") == nil)
      try await review.decide(
        fixture.ids[2], .correct(typed, note: "S read as I"), reviewer: "officer1", purpose: "citation review")
      await #expect(throws: HubError.self) {
        try await review.decide(fixture.ids[2], .accept, reviewer: "officer2", purpose: "citation review")
      }
      await #expect(throws: HubError.self) {
        try await review.decide(fixture.ids[0], .accept, reviewer: "officer2", purpose: nil)
      }
      let corrected = try #require(try await service.storage.decision(candidateID: fixture.ids[2]))
      #expect(corrected.outcome == .corrected)
      #expect(try await service.storage.candidate(id: fixture.ids[2])?.reviewState == "corrected")
      #expect(try await review.open(fixture.ids[2], reviewer: "officer1", purpose: "appeal").citedText == "6MJS333")
      #expect(!fixture.databaseText().contains("6MJS333"))
      #expect(!plates.contains { fixture.databaseText().contains($0) })

      let (json, count) = try await review.export(
        actor: "operator:test", purpose: "citation review", format: .json, since: nil)
      #expect(count == 2)
      let records = try #require(try JSONSerialization.jsonObject(with: json) as? [[String: Any]])
      #expect(Set(records.compactMap { $0["plate_text"] as? String }) == ["6ACC111", "6MJS333"])
      #expect(records.allSatisfy { $0["street"] != nil && $0["reviewer"] as? String == "officer1" })
      #expect(
        records.contains { $0["street"] as? String == "E Santa Clara St" && $0["outcome"] as? String == "accepted" })
      let (csv, _) = try await review.export(
        actor: "operator:test", purpose: "citation review", format: .csv, since: Date().addingTimeInterval(3600))
      #expect(String(decoding: csv, as: UTF8.self).hasPrefix("candidate_id,plate_text,plate_state,outcome,rule,zone"))
      #expect(String(decoding: csv, as: UTF8.self).split(separator: "\r\n").count == 1)
      #expect(try await service.storage.decision(candidateID: fixture.ids[0])?.exportedAt != nil)
      #expect(try await service.storage.decision(candidateID: fixture.ids[1])?.exportedAt == nil)

      let out = directory.appendingPathComponent("corrections")
      #expect(try await review.exportCorrections(actor: "operator:test", purpose: "citation review", to: out) == 1)
      let files = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
      #expect(files == ["\(fixture.ids[2].uuidString.lowercased()).jpg", "groundtruth.csv"])
      let truth = try String(contentsOf: out.appendingPathComponent("groundtruth.csv"), encoding: .utf8)
      #expect(truth == "image,state,plate\n\(fixture.ids[2].uuidString.lowercased()).jpg,,6MJS333\n")
      let audit = try await service.storage.auditEntries()
      #expect(audit.contains { $0.action == "review.export" && $0.actor == "operator:test" && $0.outcome == "allowed" })
      #expect(audit.contains { $0.action == "review.export-corrections" && $0.outcome == "allowed" })
      #expect(!audit.contains { e in (plates + ["6MJS333"]).contains { e.detail.contains($0) } })
      #expect(try await service.verifyAuditChain() == nil)
    }
  }
}
