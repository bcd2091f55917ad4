// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Foundation
import Hub
import HubDevTools
import Logging
import Testing
import Vault
import Wire

@Suite("Permit key after a device key rotation")
struct PermitKeyRotationTests {
  /// `chalkline keys rotate --device` gives the vehicle a new device id (the fingerprint of its
  /// new key). The permit key the hub sealed to the old key does not open with the new one, so the
  /// vehicle enforces no rule a permit would lift (the alarm of a missing list) until the vehicle
  /// is registered again; `chalkline-hub devices add` with the new key then publishes a list
  /// sealed to it, and no longer to the old key.
  @Test func reRegisteringPublishesAListTheNewKeyOpens() async throws {
    try await withTemporaryDirectory(prefix: "cl-rotate") { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let encoder = JSONEncoder()
      encoder.keyEncodingStrategy = .convertToSnakeCase
      let config = directory.appendingPathComponent("hub.json").path
      try encoder.encode(hub.configuration).write(to: URL(fileURLWithPath: config))
      let identity = try hub.pki.issue(name: "truck-9")
      let state = directory.appendingPathComponent("state").path
      let chalkline = TestPaths.product("chalkline")
      let chalklineHub = TestPaths.product("chalkline-hub")

      func run(_ binary: URL, _ arguments: [String]) throws -> String {
        let result = try runCommand(binary, arguments)
        #expect(result.status == 0, "\(arguments.prefix(2)): \(result.standardError)")
        return result.standardOutput
      }
      func deviceKey() throws -> String {
        let shown = try run(chalkline, ["keys", "show", "--state-dir", state, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(shown.utf8)) as? [String: Any]
        return try #require(object?["device_public_key"] as? String)
      }
      func register(_ key: String) throws -> String {
        try run(
          chalklineHub,
          [
            "devices", "add", "--config", config, "--name", "truck-9", "--certificate", identity.certificate,
            "--signing-key", key, "--purpose", "vehicle keys",
          ])
      }
      func opens(_ document: SignedDocument) throws -> Bool {
        let keyring = try Keyring.load(from: URL(fileURLWithPath: state))
        return (try? PermitsInForce(document: document, deviceKey: keyring.deviceKey)) != nil
      }
      let service = try hub.service(logger: .init(label: "test"))

      _ = try run(chalkline, ["keys", "init", "--state-dir", state])
      let oldKey = try deviceKey()
      _ = try register(oldKey)
      let csv = directory.appendingPathComponent("permits.csv")
      try "plate,state,user_class,valid_from,valid_to\n7ABC123,CA,permit R,2026-01-01,2026-12-31\n".write(
        to: csv, atomically: true, encoding: .utf8)
      _ = try run(chalklineHub, ["permits", "import", "--config", config, csv.path])
      let first = try #require(try await service.storage.latestDocument(.permits))
      #expect(try opens(first))

      _ = try run(chalkline, ["keys", "rotate", "--state-dir", state, "--device", "--purpose", "annual rotation"])
      let newKey = try deviceKey()
      #expect(newKey != oldKey)
      // The cached list no longer opens: the vehicle holds no verified list until re-registered.
      #expect(try !opens(first))

      let printed = try register(newKey)
      #expect(printed.contains("published permits version 2"), "\(printed)")
      let second = try #require(try await service.storage.latestDocument(.permits))
      #expect(second.version == 2)
      #expect(try opens(second))
      let sealedTo = try UplinkAPI.decoder().decode(PermitsDocument.self, from: second.body).sealedKeys.map(\.device)
      let newID = keyFingerprint(try #require(Data(base64Encoded: newKey)))
      let oldID = keyFingerprint(try #require(Data(base64Encoded: oldKey)))
      #expect(sealedTo == [newID], "sealed to \(sealedTo); the old key was \(oldID)")
    }
  }
}
