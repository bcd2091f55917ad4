// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Uplink

/// What the hub stores. `SQLiteHubStorage` is the reference; the schema and queries are kept to
/// SQL that PostgreSQL runs as well (TEXT ids and times, no AUTOINCREMENT, `ON CONFLICT DO
/// NOTHING`), so a city-wide backend can implement this protocol without a data-model change.
public protocol HubStorage: ReviewStorage {
  /// Registers a device (or replaces the certificate and key of one with the same id).
  func addDevice(_ device: DeviceRecord) async throws
  /// The device a client certificate belongs to.
  func device(certificateSHA256: String) async throws -> DeviceRecord?
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
  /// Appends an entry to the access audit (chained to the previous one) and returns it.
  @discardableResult
  func audit(
    actor: String, purpose: String, action: String, detail: String, outcome: String, at: Date
  ) async throws
    -> AccessAuditEntry
  /// The access audit, oldest first.
  func auditEntries() async throws -> [AccessAuditEntry]
}
