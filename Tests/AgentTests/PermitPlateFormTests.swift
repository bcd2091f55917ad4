// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineModel
import ChalklineTestKit
import Crypto
import Enforcement
import Foundation
import Hub
import HubDevTools
import Logging
import Testing
import Wire

/// The hub hashes the permit office's plates and the vehicle its readings in the one canonical
/// form, so a permit written with `O` or `Q`, with or without a dash, is found by every reading a
/// camera cannot tell from it.
@Suite("Permit plates in the one canonical form")
struct PermitPlateFormTests {
  static let csv = """
    plate,state,user_class,valid_from,valid_to
    7OQ-123,CA,permit R,2026-01-01,2026-12-31
    8abcQ01,CA,permit R,2026-01-01,2026-12-31
    5I0 O55,CA,permit S,2026-01-01,2026-12-31
    """

  /// Readings of the listed plates and of plates one character off, with the class each must find.
  static let readings: [(reading: String, userClass: String?)] = [
    ("7OQ123", "permit R"), ("700123", "permit R"), ("7Q0-123", "permit R"), ("7oq 123", "permit R"),
    ("8ABC-001", "permit R"), ("8ABCO01", "permit R"), ("8abcq01", "permit R"),
    ("51OO55", "permit S"), ("5I0-Q55", "permit S"), ("510055", "permit S"),
    ("7OQ124", nil), ("8ABC002", nil), ("51OO56", nil),
  ]

  // One hub for every reading: a development PKI costs seconds of openssl.
  @Test func aPermitMatchesEveryReadingOfItsPlate() async throws {
    try await withTemporaryDirectory(prefix: "cl-permit-form") { directory in
      let hub = try LoopbackHub.create(in: directory.appendingPathComponent("hub"))
      let device = Curve25519.Signing.PrivateKey()
      let logger = Logger(label: "test")
      _ = try await hub.addDevice(name: "truck-1", deviceKey: device.publicKey, logger: logger)
      let service = try hub.service(logger: logger)
      let report = try await service.importPermits(csv: Data(Self.csv.utf8), file: "permits.csv", actor: "test")
      #expect(report.countsByClass == ["permit R": 2, "permit S": 1])
      let document = try #require(try await service.storage.latestDocument(.permits))
      // The vehicle's side, as the pipeline does it: the verified list opened with the device key,
      // each reading hashed under its key, the ledger's registry asked.
      let permits = try PermitsInForce(document: document, deviceKey: device)
      for (reading, userClass) in Self.readings {
        let sighting = Sighting(
          time: Date(timeIntervalSince1970: 1_772_442_000), position: nil,
          alternatives: [PlateAlternative(keys: [permits.key(reading)], confidence: 0.9)], evidence: EvidenceID("e"))
        let found = permits.registry.classes(of: sighting, on: CivilDate(year: 2026, month: 3, day: 2))
        #expect(found == Set([userClass].compactMap { $0 }.map(UserClass.init)), "\(reading)")
      }
    }
  }
}
