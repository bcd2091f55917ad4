// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Wire

/// What the hub stores. `SQLiteHubStorage` is the reference; the schema and queries are kept to
/// SQL that PostgreSQL runs as well (TEXT ids and times, no AUTOINCREMENT, `ON CONFLICT DO
/// NOTHING`), so a city-wide backend can implement this protocol without a data-model change.
public protocol HubStorage: ReviewStorage {
  /// Registers a device (or replaces the certificate of one with the same id). An active record
  /// of the same name or certificate with another key is marked revoked, not deleted (its
  /// candidates keep their history); those replaced are returned.
  @discardableResult
  func addDevice(_ device: DeviceRecord) async throws -> [DeviceRecord]
  /// Revokes the active records of a device by name or id at once; returns those revoked.
  func revokeDevice(name: String, at: Date) async throws -> [DeviceRecord]
  /// The active (not revoked) device a client certificate belongs to.
  func device(certificateSHA256: String) async throws -> DeviceRecord?
  /// The records a device's re-keyings replaced, directly or through earlier re-keyings (not
  /// those `devices revoke` revoked): the keys its older candidates may be signed with.
  func predecessors(of id: String) async throws -> [DeviceRecord]
  /// Every registered device.
  func devices() async throws -> [DeviceRecord]
  /// Stores verified candidates in one transaction, idempotent by id: `stored` when new,
  /// `duplicate` when the same manifest is already held, `rejected` when the id is held with a
  /// different manifest.
  func ingest(_ candidates: [VerifiedCandidate], receivedAt: Date) async throws -> [UUID: CandidateDisposition]
  /// Candidates, oldest first, optionally in one review state.
  func candidates(reviewState: String?, limit: Int) async throws -> [StoredCandidate]
  /// How many candidates are held, and how many distinct ids (they are equal by construction).
  func candidateCount() async throws -> Int
  /// Stores a device's latest totals for each hour and area.
  func storeAggregates(_ aggregates: [WireAggregate], device: String, receivedAt: Date) async throws
  /// The newest document of a kind.
  func latestDocument(_ kind: DistributionKind) async throws -> SignedDocument?
  /// Stores a new document version.
  func saveDocument(_ document: SignedDocument) async throws
  /// Uses `key` to chain the access audit from now on (`HubService` installs the hub's).
  func installAuditKey(_ key: SymmetricKey)
  /// Appends an entry to the access audit (chained to the previous one under the audit key) and
  /// returns it. Any hub code that acts on records or data calls this (or `HubService.audit`).
  @discardableResult
  func audit(
    actor: String, purpose: String, action: String, detail: String, outcome: String, at: Date
  ) async throws
    -> AccessAuditEntry
  /// The access audit, oldest first.
  func auditEntries() async throws -> [AccessAuditEntry]
  /// The entries of one action written at or after `since`, oldest first (the lockouts a
  /// restarted hub puts back).
  func auditEntries(action: String, since: Date) async throws -> [AccessAuditEntry]
  /// How many entries the audit holds and the last one's hash (empty when none).
  func auditHead() async throws -> (sequence: Int, hash: String)
  /// Stores a signed checkpoint.
  func saveCheckpoint(_ checkpoint: AuditCheckpoint) async throws
  /// Every stored checkpoint, oldest first.
  func checkpoints() async throws -> [AuditCheckpoint]
  /// The newest stored checkpoint.
  func latestCheckpoint() async throws -> AuditCheckpoint?
  /// Records the audit head a vehicle sent and says whether it is consistent with earlier ones.
  func recordDeviceAuditHead(
    device: String, sequence: Int, hash: String, at: Date
  ) async throws
    -> DeviceAuditHeadCheck
  /// When the oldest candidate whose evidence is still held arrived (nil when none is held).
  func oldestHeldEvidenceReceivedAt() async throws -> Date?
  /// The reviewers the hub last saw (name → SHA-256 of the password hash), and replaces them.
  func exchangeReviewersSeen(_ reviewers: [String: String]) async throws -> [String: String]
}
