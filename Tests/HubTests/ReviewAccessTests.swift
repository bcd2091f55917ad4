// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Hub
import HubDevTools
import Testing
import Wire

@Suite struct ReviewAccessTests {
  @Test func aReviewerWithAnAllowedPurposeGetsOpenedCandidatesAndEveryCallIsAudited() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory, reviewers: ["officer1": "correct horse"])
      let deviceKey = Curve25519.Signing.PrivateKey()
      let device = try await hub.addDevice(name: "truck-3", deviceKey: deviceKey.publicKey, logger: testLogger)
      let reviewer = try hub.pki.issue(name: "reviewer-workstation")
      let synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
      let candidates = try ["8ABC123", "5XYZ987"].enumerated().map {
        try synthetic.make(plate: $0.element, index: $0.offset)
      }
      try await hub.serve(logger: testLogger) { port in
        try await withConnection(hub, device, port: port) { client in
          _ = try await post(CandidateBatch(candidates: candidates), over: client)
        }

        let base = "https://127.0.0.1:\(port)/v1/candidates"
        func curl(_ user: String?, _ query: String) async throws -> (Int, String) {
          var arguments = [
            "-s", "-w", "\n%{http_code}", "--cert", reviewer.certificate, "--key", reviewer.key, "--cacert",
            hub.pki.caCertificate,
          ]
          if let user { arguments += ["-u", user] }
          let (_, output) = try await runOffPool("/usr/bin/curl", arguments + [base + query])
          let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
          return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }
        #expect(try await curl(nil, "?purpose=citation%20review").0 == 401)
        #expect(try await curl("officer1:wrong", "?purpose=citation%20review").0 == 401)
        #expect(try await curl("officer1:correct horse", "").0 == 400)
        #expect(try await curl("officer1:correct horse", "?purpose=curiosity").0 == 403)
        let (status, body) = try await curl("officer1:correct horse", "?purpose=citation%20review")
        #expect(status == 200)
        let array = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])
        #expect(array.count == 2)
        #expect(Set(array.compactMap { $0["plate_text"] as? String }) == ["8ABC123", "5XYZ987"])
        for object in array {
          for key in ["id", "device", "rule", "zone", "plate_text", "review_state", "sightings"] {
            #expect(object[key] != nil, "missing \(key)")
          }
          let sightings = try #require(object["sightings"] as? [[String: Any]])
          #expect(sightings.count == 2 && sightings.allSatisfy { $0["time"] != nil && $0["latitude"] != nil })
          #expect(object["review_state"] as? String == "pending")
          #expect(object["device"] as? String == synthetic.deviceID)
        }
        // Without a client certificate there is no TLS connection at all.
        let (noCert, _) = try await runOffPool(
          "/usr/bin/curl", ["-s", "--cacert", hub.pki.caCertificate, "-u", "officer1:correct horse", base])
        #expect(noCert != 0)
      }
      let service = try hub.service(logger: testLogger)
      let audit = try await service.storage.auditEntries().filter { $0.action == "candidates.list" }
      #expect(audit.map(\.outcome) == ["denied: no purpose stated", "denied: purpose not allowed", "allowed"])
      #expect(audit.last?.actor == "officer1" && audit.last?.purpose == "citation review")
      #expect(try await service.verifyAuditChain() == nil)
      // Plate text is in no unencrypted byte of the hub's database.
      for suffix in ["", "-wal", "-shm"] {
        guard let bytes = FileManager.default.contents(atPath: hub.configuration.database + suffix) else { continue }
        let text = String(decoding: bytes, as: UTF8.self).uppercased()
        #expect(!text.contains("8ABC123") && !text.contains("5XYZ987"))
      }
    }
  }

  @Test func passwordHashesVerifyOnlyTheirPassword() throws {
    let hash = try PasswordHash(password: "s3cret")
    let parsed = try #require(PasswordHash(encoded: hash.encoded))
    #expect(parsed.matches("s3cret"))
    #expect(!parsed.matches("s3cret "))
    #expect(PasswordHash(encoded: "plain") == nil)
    #expect(PasswordHash(encoded: "pbkdf2-sha256$1000$AAAAAAAAAAA=$" + String(repeating: "A", count: 44)) == nil)
  }

  @Test func configurationResolvesPathsAndListsEveryProblem() async throws {
    try await withTemporaryDirectory { directory in
      let path = directory.appendingPathComponent("hub.json").path
      try Data(
        """
        {"tls": {"certificate": "hub.pem", "private_key": "hub.key", "client_ca": "ca.pem"}}
        """.utf8
      ).write(to: URL(fileURLWithPath: path))
      let configuration = try HubConfiguration.load(path: path)
      #expect(configuration.tls.clientCa == directory.appendingPathComponent("ca.pem").path)
      #expect(configuration.database == directory.appendingPathComponent("hub.sqlite").path)
      #expect(configuration.listen.port == 8443 && configuration.purposes == HubConfiguration.defaultPurposes)
      try Data(
        """
        {"listen": {"port": 70000}, "purposes": [], "tls": {"certificate": "a", "private_key": "b", "client_ca": "c"},
         "reviewers": [{"name": "x", "password_hash": "plain"}]}
        """.utf8
      ).write(to: URL(fileURLWithPath: path))
      do {
        _ = try HubConfiguration.load(path: path)
        Issue.record("a bad configuration must be refused")
      } catch let error as HubError {
        #expect(
          error.message.contains("listen.port") && error.message.contains("purposes")
            && error.message.contains("reviewers.x"))
      }
    }
  }
}
