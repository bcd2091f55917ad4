// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Crypto
import Enforcement
import Foundation
import Uplink
import Vault
import Wire

/// The verified permit list the pipeline enforces: the ledger's registry of keyed hashes and
/// the hasher (the list's permit key, opened with the device key) that makes every reading
/// comparable with them. The key lives in memory only; on disk it stays sealed in the cached
/// permits document, which holds no plate text.
public struct PermitsInForce: Sendable {
  /// The ledger's registry.
  public var registry: PermitRegistry
  /// Hashes a canonical reading under the permit key.
  public var hasher: PlateHasher
  /// `hub permits version N`.
  public var source: String

  /// Opens a verified `permits` document with the device's key.
  public init(document: SignedDocument, deviceKey: Curve25519.Signing.PrivateKey) throws {
    guard document.kind == .permits else {
      throw UplinkError(.badReply, "A \(document.kind.rawValue) document is not a permit list.")
    }
    let body: PermitsDocument
    do { body = try UplinkAPI.decoder().decode(PermitsDocument.self, from: document.body) } catch {
      throw UplinkError(
        .badReply, "The hub's permits document (version \(document.version)) is not a chalkline-permits-v1 list.",
        cause: error)
    }
    let key = try body.openKey(device: keyFingerprint(deviceKey.publicKey.rawRepresentation), signing: deviceKey)
    hasher = try PlateHasher(permitKey: key, id: body.keyWindow)
    var registry = PermitRegistry(
      window: KeyWindowID(body.keyWindow), version: document.version, classes: Set(body.classes.map(UserClass.init)))
    let length = PermitsDocument.hashLength
    for group in body.groups {
      guard let from = CivilDate(iso: group.validFrom), let to = CivilDate(iso: group.validTo),
        group.hashes.count % length == 0
      else {
        throw UplinkError(
          .badReply, "A permit group of \(group.userClass) in version \(document.version) has bad dates or hashes.")
      }
      let bytes = [UInt8](group.hashes)
      let keys = stride(from: 0, to: bytes.count, by: length).map {
        PlateKey(window: registry.window, bytes: Array(bytes[$0..<$0 + length]))
      }
      registry.add(keys, to: UserClass(group.userClass), validity: .init(from: from, to: to))
    }
    self.registry = registry
    source = "hub permits version \(document.version)"
  }

  package init(registry: PermitRegistry, hasher: PlateHasher, source: String) {
    self.registry = registry
    self.hasher = hasher
    self.source = source
  }

  /// The permit-window key of a reading (the hasher folds it into the one canonical form, as the
  /// hub folded the permit office's plates).
  public func key(_ reading: String) -> PlateKey {
    PlateKey(window: registry.window, bytes: Array(PermitsDocument.hash(canonicalPlate: reading, with: hasher)))
  }

  /// Plate-free counts for the status and the audit log: `permit R=120 permit S=0`.
  public var summary: String {
    let counts = registry.countsByClass
    return counts.keys.sorted { $0.rawValue < $1.rawValue }.map { "\($0.rawValue)=\(counts[$0]!)" }.joined(
      separator: " ")
  }
}
