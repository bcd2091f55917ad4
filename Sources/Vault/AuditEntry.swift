// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation

/// One access to the vehicle's data: who, when, what and why. Entries form a hash chain: each
/// hash covers the previous hash and every field, so an altered, removed or reordered entry is
/// found by `Vault.verifyAuditLog()`.
public struct AuditEntry: Sendable, Equatable {
  /// Position in the chain, from 1.
  public let sequence: Int64
  /// When it happened.
  public let time: Date
  /// Who: a person, a service or a command (for example `technician:alice`, `uplink`, `retention`).
  public let actor: String
  /// What was done (for example `keys.rotate`, `outbox.acknowledge`, `status`).
  public let action: String
  /// Why, as stated by the actor.
  public let purpose: String
  /// Plate-free details (counts, ids).
  public let detail: String
  /// SHA-256 of the previous entry (zeros for the first).
  public let previousHash: Data
  /// SHA-256 of this entry.
  public let hash: Data

  static let genesis = Data(count: 32)

  static func chainHash(
    previous: Data, sequence: Int64, timeMS: Int64, actor: String, action: String, purpose: String, detail: String
  ) -> Data {
    var writer = BinaryWriter()
    writer.string("chalkline-audit-v1")
    writer.bytes(previous)
    writer.int64(sequence)
    writer.int64(timeMS)
    for field in [actor, action, purpose, detail] { writer.string(field) }
    return Data(SHA256.hash(data: writer.data))
  }
}

/// The outcome of checking the audit log's chain.
public struct AuditVerification: Sendable, Equatable {
  /// Entries checked.
  public let entries: Int
  /// Hash of the last entry (hex), to compare with a copy kept elsewhere.
  public let headHash: String
  /// The first entry whose hash or link is wrong, if any.
  public let firstBrokenSequence: Int64?
  /// Whether the chain is intact.
  public var intact: Bool { firstBrokenSequence == nil }
}
