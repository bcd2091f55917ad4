// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Hub
import HubDevTools
import NIOHTTP1
import Testing
import Uplink
import Vault
import Wire

/// A bad export and the one problem it must be refused with.
struct BadPermitFile: Sendable, CustomTestStringConvertible {
  var name: String
  var csv: String
  var problem: String
  var testDescription: String { name }
}

let badPermitFiles: [BadPermitFile] = [
  BadPermitFile(
    name: "a header without valid_to", csv: "plate,state,user_class,valid_from\n7ABC123,CA,permit R,2026-01-01\n",
    problem:
      "p.csv:1: header: no column \"valid_to\" (expected a header naming plate,state,user_class,valid_from,valid_to)"),
  BadPermitFile(
    name: "an empty plate", csv: "plate,state,user_class,valid_from,valid_to\n,CA,permit R,2026-01-01,2026-12-31\n",
    problem: "p.csv:2: plate: empty (expected the plate's letters and digits)"),
  BadPermitFile(
    name: "a plate with a symbol",
    csv:
      "plate,state,user_class,valid_from,valid_to\n7ABC123,CA,permit R,2026-01-01,2026-12-31\n7AB*123,CA,permit R,2026-01-01,2026-12-31\n",
    problem: "p.csv:3: plate: not a plate (expected 2 to 8 letters and digits; spaces and dashes are ignored)"),
  BadPermitFile(
    name: "a month 13", csv: "plate,state,user_class,valid_from,valid_to\n7ABC123,CA,permit R,2026-13-01,2026-12-31\n",
    problem: "p.csv:2: valid_from: \"2026-13-01\" is not a date (expected YYYY-MM-DD, a local date)"),
  BadPermitFile(
    name: "a validity that ends before it starts",
    csv: "plate,state,user_class,valid_from,valid_to\n7ABC123,CA,permit R,2026-06-01,2026-05-31\n",
    problem:
      "p.csv:2: valid_to: 2026-05-31 is before valid_from 2026-06-01 (expected the last day, on or after the first)"),
  BadPermitFile(
    name: "no class", csv: "plate,state,user_class,valid_from,valid_to\n7ABC123,CA,,2026-01-01,2026-12-31\n",
    problem: "p.csv:2: user_class: empty (expected the class the zones name, such as permit R)"),
  BadPermitFile(
    name: "a short line", csv: "plate,state,user_class,valid_from,valid_to\n7ABC123,CA,permit R\n",
    problem: "p.csv:2: line: 3 field(s) (expected 5, one per header column)"),
  BadPermitFile(
    name: "a state that is not one",
    csv: "plate,state,user_class,valid_from,valid_to\n7ABC123,Calif,permit R,2026-01-01,2026-12-31\n",
    problem: "p.csv:2: state: \"Calif\" is not a state (expected a two-letter code such as CA, or nothing)"),
]

@Suite("Permit import")
struct PermitImportTests {
  static let good = """
    permit_id,plate,state,user_class,valid_from,valid_to,holder_address
    1,7ABC123,CA,permit R,2026-01-01,2026-12-31,"12 N 3rd St, San Jose"
    2,8xyz-001,,permit R,2026-01-01,2026-02-28,x
    3,5PRM001,CA,permit S,2027-01-01,2027-12-31,y
    """

  @Test(arguments: badPermitFiles)
  func aBadLineIsNamed(_ file: BadPermitFile) throws {
    do {
      _ = try PermitList.parse(Data(file.csv.utf8), file: "p.csv")
      Issue.record("accepted")
    } catch let error as FileRefusal {
      #expect(error.problems.map(\.description) == [file.problem])
      #expect(!error.description.contains("7AB*123"))
    }
  }

  @Test func everyBadLineIsListed() throws {
    let csv =
      "plate,state,user_class,valid_from,valid_to\n,CA,permit R,2026-01-01,2026-12-31\nOK1,CA,permit R,x,2026-12-31\n"
    #expect(throws: FileRefusal.self) { try PermitList.parse(Data(csv.utf8), file: "p.csv") }
    do { _ = try PermitList.parse(Data(csv.utf8), file: "p.csv") } catch let error as FileRefusal {
      #expect(error.problems.map { $0.description.prefix(8) } == ["p.csv:2:", "p.csv:3:"])
    }
  }

  @Test func importPublishesAtOnceAndABadFileChangesNothing() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      let device = Curve25519.Signing.PrivateKey()
      let identity = try await hub.addDevice(name: "v1", deviceKey: device.publicKey, logger: testLogger)
      try await hub.serve(logger: testLogger) { port in
        // Another process (the operator's `permits import`) writes; the running server serves it.
        let operatorService = try hub.service(logger: testLogger)
        let report = try await operatorService.importPermits(
          csv: Data(Self.good.utf8), file: "permits.csv", actor: "operator:test")
        #expect(report.countsByClass == ["permit R": 2, "permit S": 1])
        #expect(report.publishedVersion == 1)
        let fetched = try await withConnection(hub, identity, port: port) { connection in
          try await connection.send(.GET, UplinkAPI.distribution(.permits))
        }
        #expect(fetched.status == 200)
        let signed = try UplinkAPI.decoder().decode(SignedDocument.self, from: fetched.body)
        #expect(signed.version == 1 && signed.isValid(for: hub.keys.signing.publicKey))
        let document = try UplinkAPI.decoder().decode(PermitsDocument.self, from: signed.body)
        #expect(document.classes == ["permit R", "permit S"])
        #expect(document.groups.map(\.hashes.count).reduce(0, +) == 3 * PermitsDocument.hashLength)
        // The device opens the key and finds its plate among the hashes.
        let key = try document.openKey(device: keyFingerprint(device.publicKey.rawRepresentation), signing: device)
        let hasher = try PlateHasher(permitKey: key, id: document.keyWindow)
        let mine = PermitsDocument.hash(canonicalPlate: "8XYZ001", with: hasher)
        #expect(document.groups.contains { $0.validTo == "2026-02-28" && $0.hashes.range(of: mine) != nil })
        for text in ["7ABC123", "8XYZ001", "8xyz-001", "5PRM001", "3rd St"] {
          #expect(fetched.body.range(of: Data(text.utf8)) == nil)
        }

        // A file with one bad line changes nothing.
        let broken = Self.good + "\n4,9BAD000,CA,permit R,2026-02-30,2026-12-31,z\n"
        await #expect(throws: FileRefusal.self) {
          try await operatorService.importPermits(csv: Data(broken.utf8), file: "permits.csv", actor: "operator:test")
        }
        #expect(try await operatorService.storage.latestDocument(.permits)?.version == 1)
        #expect(try operatorService.permitCounts(on: .init(year: 2026, month: 3, day: 2))?.map(\.total) == [2, 1])

        // A new import replaces the whole list, as a new version.
        let second = "plate,state,user_class,valid_from,valid_to\n6NEW600,CA,permit R,2026-01-01,2026-12-31\n"
        let replaced = try await operatorService.importPermits(
          csv: Data(second.utf8), file: "permits.csv", actor: "operator:test")
        #expect(replaced.publishedVersion == 2 && replaced.countsByClass == ["permit R": 1])
        let counts = try #require(try operatorService.permitCounts(on: .init(year: 2026, month: 3, day: 2)))
        #expect(counts.map(\.userClass) == ["permit R"] && counts.map(\.valid) == [1])

        // Audited: who, counts, never plates; the list at rest is sealed too.
        let audit = try await operatorService.storage.auditEntries()
        #expect(audit.filter { $0.action == "permits.import" }.map(\.outcome).count == 3)
        #expect(audit.contains { $0.action == "permits.publish" && $0.detail.contains("version=2") })
        #expect(audit.allSatisfy { !$0.detail.contains("7ABC123") && !$0.detail.contains("6NEW600") })
        let atRest = try Data(contentsOf: directory.appendingPathComponent("distribution/permit-list.sealed"))
        #expect(atRest.range(of: Data("6NEW600".utf8)) == nil)
      }
    }
  }

  @Test func serveRepublishesOnlyWhenTheDevicesChanged() async throws {
    try await withTemporaryDirectory { directory in
      let hub = try LoopbackHub.create(in: directory)
      _ = try await hub.addDevice(name: "v1", deviceKey: Curve25519.Signing.PrivateKey().publicKey, logger: testLogger)
      let service = try hub.service(logger: testLogger)
      try await service.importPermits(csv: Data(Self.good.utf8), file: "p.csv", actor: "t")
      try await service.publishAll()
      #expect(try await service.storage.latestDocument(.permits)?.version == 1)
      _ = try await hub.addDevice(name: "v2", deviceKey: Curve25519.Signing.PrivateKey().publicKey, logger: testLogger)
      try await service.publishAll()
      let latest = try #require(try await service.storage.latestDocument(.permits))
      #expect(latest.version == 2)
      #expect(try UplinkAPI.decoder().decode(PermitsDocument.self, from: latest.body).sealedKeys.count == 2)
    }
  }
}
