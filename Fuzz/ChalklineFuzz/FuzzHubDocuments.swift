// SPDX-License-Identifier: AGPL-3.0-or-later

import Crypto
import Foundation
import Logging
import NIOHTTP1
import Wire

@testable import Agent
@testable import Uplink

/// The hub's documents and replies as the vehicle reads them. The first byte picks the reply;
/// documents are signed here with the hub key the vehicle trusts, so the fuzzer reaches what a
/// broken or hostile hub holding its key could send.
enum FuzzHubDocuments {
  static let hubKey = Curve25519.Signing.PrivateKey()
  static let deviceKey = Curve25519.Signing.PrivateKey()
  static let permitKey = SymmetricKey(size: .bits256)
  static let sent = (0..<3).map { UUID(uuidString: "00000000-0000-4000-8000-00000000000\($0)")! }

  static func run(_ input: Data) {
    guard let mode = input.first else { return }
    let body = Data(input.dropFirst())
    switch mode % 6 {
    case 0:
      // A distribution reply as sent: decoded, then verified against the key the vehicle holds.
      guard let document = try? UplinkAPI.decoder().decode(SignedDocument.self, from: body) else { return }
      _ = try? cache().accept(document, expected: document.kind)
    case 1: accept(body, as: .keys)
    case 2: accept(body, as: .zones)
    case 3: permits(body)
    case 4:
      let reply = HubConnection.Reply(status: 200, headers: [:], body: body)
      _ = try? UplinkSync.checkAcknowledgement(reply, sent: sent)
      _ = try? UplinkAPI.decoder().decode(AggregateAcknowledgement.self, from: body)
    default:
      // The upstream key file a technician installs (`uplink.upstream_keys`).
      let dir = FuzzScratch.write(body, to: "upstream-keys.json", in: "keys")
      chmod(dir + "/upstream-keys.json", 0o600)
      _ = try? UpstreamKeysFile.read(dir + "/upstream-keys.json")
    }
  }

  /// A permit list as the hub publishes it. A list that decodes gets the permit key sealed to
  /// this vehicle (the fuzzer cannot forge that seal), so its groups are read as the agent reads them.
  @discardableResult
  static func permits(_ body: Data) -> PermitsInForce? {
    var body = body
    if var list = try? UplinkAPI.decoder().decode(PermitsDocument.self, from: body),
      let sealed = try? PermitsDocument.seal(
        permitKey, keyWindow: list.keyWindow, device: keyFingerprint(deviceKey.publicKey.rawRepresentation),
        signingKey: deviceKey.publicKey.rawRepresentation)
    {
      list.sealedKeys = [sealed]
      body = (try? UplinkAPI.encoder().encode(list)) ?? body
    }
    guard let document = signed(body, as: .permits) else { return nil }
    return try? PermitsInForce(document: document, deviceKey: deviceKey)
  }

  static func signed(_ body: Data, as kind: DistributionKind) -> SignedDocument? {
    try? SignedDocument.signed(
      kind: kind, version: 1, issuedAt: Date(timeIntervalSince1970: 1_772_442_000), body: body, key: hubKey)
  }

  static func accept(_ body: Data, as kind: DistributionKind) {
    guard let document = signed(body, as: kind) else { return }
    _ = try? cache().accept(document, expected: kind)
  }

  /// An empty cache trusting the hub key: every input starts from the same state.
  static func cache() throws -> DistributionCache {
    let directory = URL(fileURLWithPath: FuzzScratch.directory + "/cache")
    try? FileManager.default.removeItem(at: directory)
    return try DistributionCache(
      directory: directory, trustedKey: hubKey.publicKey,
      logger: Logger(label: "fuzz") { _ in SwiftLogNoOpLogHandler() })
  }
}
