// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Hub
import HubDevTools
import Testing
import Wire

/// The review flow in a real headless Chromium driven through chromedriver (W3C WebDriver).
@Suite struct ReviewBrowserTests {
  @Test func anOfficerLogsInSeesBothSightingsAcceptsOneAndRejectsAnother() async throws {
    try await withTemporaryDirectory { directory in
      let (fixture, candidates, device) = try await ReviewFixture.create(in: directory, plates: ["7TRK421", "4MOV889"])
      let hub = fixture.hub
      let screenshot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent(".build/test-output/review.png")
      try await hub.serveWithReview(logger: testLogger) { devicePort, reviewPort in
        try await withConnection(hub, device, port: devicePort) { client in
          let (status, _) = try await post(CandidateBatch(candidates: candidates), over: client)
          #expect(status == 200)
        }
        try await WebDriver.with { browser in
          let site = "https://127.0.0.1:\(reviewPort)"
          try await browser.open(site + "/queue")
          #expect(try await browser.currentURL().hasSuffix("/login"))
          try await browser.type("#name", "officer1")
          try await browser.type("#password", ReviewFixture.password)
          _ = try await browser.script("document.getElementById('purpose').value = 'citation review'")
          try await browser.click("#submit")
          #expect(try await browser.currentURL(endingWith: "/queue").hasSuffix("/queue"))
          let links = try await browser.script(
            "return Array.from(document.querySelectorAll('a.candidate')).map(a => a.getAttribute('href'))")
          #expect((links as? [String])?.count == 2)

          // The first candidate: both sightings' plate and vehicle crops decode in the browser.
          try await browser.open(site + "/candidates/\(fixture.ids[0].uuidString)")
          let images = try await browser.script(
            """
            return Promise.all(Array.from(document.images).map(i => i.decode().then(() => i.naturalWidth, () => 0)))
            """)
          let widths = try #require(images as? [Int])
          #expect(widths.count == 4)
          #expect(widths.allSatisfy { $0 > 0 }, "image widths \(widths)")
          let text = try await browser.script("return document.body.innerText") as? String ?? ""
          #expect(text.contains("7TRK421"))
          #expect(text.contains("E Santa Clara St, between N 1st St and N 2nd St"))
          #expect(text.contains("2 h 10 min"))
          #expect(text.contains("max 120 minute"))
          try FileManager.default.createDirectory(
            at: screenshot.deletingLastPathComponent(), withIntermediateDirectories: true)
          try await browser.screenshot().write(to: screenshot)
          print("review screenshot: \(screenshot.path)")
          try await browser.click("#accept-button")
          #expect(try await browser.text(ofElement: "review-state", becoming: "accepted") == "accepted")

          // The second: rejected as moved, with a note.
          try await browser.open(site + "/queue")
          try await browser.click("a.candidate")
          #expect(
            try await browser.currentURL(endingWith: fixture.ids[1].uuidString).hasSuffix(fixture.ids[1].uuidString))
          _ = try await browser.script("document.getElementById('reason').value = 'moved'")
          try await browser.type("#reject-note", "gone at second pass")
          try await browser.click("#reject-button")
          #expect(try await browser.text(ofElement: "review-state", becoming: "rejected") == "rejected")
          try await browser.open(site + "/queue")
          #expect(try await browser.script("return document.querySelectorAll('a.candidate').length") as? Int == 0)
        }
      }
      let storage = try hub.service(logger: testLogger).storage
      let accepted = try #require(try await storage.decision(candidateID: fixture.ids[0]))
      let rejected = try #require(try await storage.decision(candidateID: fixture.ids[1]))
      #expect(accepted.outcome == .accepted && accepted.reviewer == "officer1")
      #expect(rejected.outcome == .rejected && rejected.reason == .moved && rejected.note == "gone at second pass")
      #expect(try await storage.candidate(id: fixture.ids[0])?.reviewState == "accepted")
      #expect(try await storage.candidate(id: fixture.ids[1])?.reviewState == "rejected")
      let audit = try await storage.auditEntries()
      let allowed = audit.filter { $0.outcome == "allowed" }
      #expect(allowed.contains { $0.action == "review.login" && $0.actor == "officer1" })
      #expect(allowed.filter { $0.action == "review.picture" }.count >= 4)
      for id in fixture.ids {
        #expect(allowed.contains { $0.action == "review.candidate" && $0.detail == "candidate=\(id.uuidString)" })
      }
      #expect(
        allowed.contains {
          $0.action == "review.decide" && $0.detail == "candidate=\(fixture.ids[0].uuidString) outcome=accepted"
        })
      #expect(
        allowed.contains {
          $0.action == "review.decide"
            && $0.detail == "candidate=\(fixture.ids[1].uuidString) outcome=rejected reason=moved"
        })
      #expect(audit.filter { $0.actor == "officer1" }.allSatisfy { $0.purpose == "citation review" })
      #expect(try await hub.service(logger: testLogger).verifyAuditChain() == nil)
      #expect(!audit.contains { $0.detail.contains("7TRK421") || $0.detail.contains("4MOV889") })
      #expect(FileManager.default.fileExists(atPath: screenshot.path))
    }
  }
}
