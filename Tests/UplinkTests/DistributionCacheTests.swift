// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Testing
import Uplink
import Wire

@Suite struct DistributionCacheTests {
  let hubKey = Curve25519.Signing.PrivateKey()

  func zones(_ version: Int, key: Curve25519.Signing.PrivateKey? = nil) throws -> SignedDocument {
    try SignedDocument.signed(
      kind: .zones, version: version, issuedAt: Date(), body: Data("{\"data\":{\"v\":\(version)}}".utf8),
      key: key ?? hubKey)
  }

  @Test func acceptsSignedNewerDocumentsAndKeepsThemAcrossRestarts() async throws {
    try await withTemporaryDirectory { directory in
      let cache = try DistributionCache(directory: directory, trustedKey: hubKey.publicKey, logger: testLogger)
      #expect(try cache.accept(zones(1), expected: .zones))
      #expect(try cache.accept(zones(3), expected: .zones))
      #expect(try !cache.accept(zones(2), expected: .zones), "an older version must not replace a newer one")
      let reopened = try DistributionCache(directory: directory, trustedKey: hubKey.publicKey, logger: testLogger)
      #expect(reopened.document(.zones)?.version == 3)
    }
  }

  @Test func refusesForgedTamperedOrMislabelledDocuments() async throws {
    try await withTemporaryDirectory { directory in
      let cache = try DistributionCache(directory: directory, trustedKey: hubKey.publicKey, logger: testLogger)
      #expect(throws: UplinkError.self) {
        try cache.accept(zones(1, key: Curve25519.Signing.PrivateKey()), expected: .zones)
      }
      var tampered = try zones(2)
      tampered.body = Data("{\"data\":{\"v\":99}}".utf8)
      #expect(throws: UplinkError.self) { try cache.accept(tampered, expected: .zones) }
      var bumped = try zones(2)
      bumped.version = 7
      #expect(throws: UplinkError.self) { try cache.accept(bumped, expected: .zones) }
      #expect(throws: UplinkError.self) { try cache.accept(zones(4), expected: .permits) }
      #expect(cache.document(.zones) == nil)
      // A cached file altered on disk is ignored at the next start.
      #expect(try cache.accept(zones(5), expected: .zones))
      let file = directory.appendingPathComponent("zones.json")
      let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
        of: "\"version\":5", with: "\"version\":6")
      try Data(text.utf8).write(to: file)
      let reopened = try DistributionCache(directory: directory, trustedKey: hubKey.publicKey, logger: testLogger)
      #expect(reopened.document(.zones) == nil)
    }
  }

  @Test func aKeysDocumentHandsOverToTheNewSigningKey() async throws {
    try await withTemporaryDirectory { directory in
      let cache = try DistributionCache(directory: directory, trustedKey: hubKey.publicKey, logger: testLogger)
      let next = Curve25519.Signing.PrivateKey()
      let body = try UplinkAPI.encoder().encode(
        HubPublicKeys(
          hpkePublicKey: Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation,
          signingPublicKey: next.publicKey.rawRepresentation))
      #expect(
        try cache.accept(
          SignedDocument.signed(kind: .keys, version: 1, issuedAt: Date(), body: body, key: hubKey), expected: .keys))
      #expect(throws: UplinkError.self) { try cache.accept(zones(1), expected: .zones) }
      #expect(try cache.accept(zones(1, key: next), expected: .zones))
      let reopened = try DistributionCache(directory: directory, trustedKey: hubKey.publicKey, logger: testLogger)
      #expect(reopened.document(.zones)?.version == 1)
    }
  }
}
