// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Logging
import Wire

extension HubService {
  /// How long after a rotation a vehicle may still send evidence sealed to the old key (it gets
  /// the new one with its next sync's keys document).
  public static let retiredKeyGrace: TimeInterval = 30 * 86_400

  /// Rotates the HPKE sealing key in the configuration's keys directory (`chalkline-hub keys
  /// rotate`), audited. The old key is retired, not deleted. `serve` publishes the new public key
  /// in the signed keys document at its next start, and vehicles seal to it from their next sync.
  public static func rotateSealingKey(
    configuration: HubConfiguration, actor: String, purpose: String, logger: Logger
  ) async throws -> HubKeys {
    let keys = try HubKeys.rotateHPKE(in: configuration.keysDirectory)
    let service = try HubService(configuration: configuration, logger: logger)
    try await service.audit(
      actor: actor, purpose: purpose, action: "keys.rotate",
      detail: "hpke_public_key=\(keyFingerprint(keys.hpke.publicKey.rawRepresentation)) retired=\(keys.retired.count)")
    return keys
  }

  /// Deletes retired HPKE keys no held evidence can be sealed to: retired more than the grace
  /// period ago, and before the oldest candidate whose evidence (or corrected text) is still held
  /// arrived. Audited per run that deletes; returns how many keys went.
  @discardableResult
  public func pruneRetiredKeys(now: Date = Date()) async throws -> Int {
    var cutoff = now.addingTimeInterval(-Self.retiredKeyGrace)
    if let oldest = try await storage.oldestHeldEvidenceReceivedAt() {
      cutoff = min(cutoff, oldest.addingTimeInterval(-Self.retiredKeyGrace))
    }
    let pruned = try HubKeys.pruneRetired(in: configuration.keysDirectory, retiredAtOrBefore: cutoff)
    guard !pruned.isEmpty else { return 0 }
    try await audit(
      actor: "hub", purpose: "retention", action: "keys.prune-retired",
      detail: "deleted=\(pruned.count) retired_at=\(pruned.map(UTCTime.format).joined(separator: ","))")
    logger.notice(
      "Retired HPKE keys deleted; no held evidence is sealed to them.", metadata: ["hub.keys": "\(pruned.count)"])
    return pruned.count
  }
}
