// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation
import Logging
import Vault
import Wire

/// Writes the vault could not take because its file system is full, kept until it can.
///
/// A candidate waits with all of its evidence sealed in memory (the first sighting's row is read
/// back from the vault), so its chalk mark may be deleted or its window shredded meanwhile. The
/// list is bounded by the ledger: while the disk is full no new mark is stored, so no more
/// candidates than the marks held can come to wait.
struct WaitingWrites {
  /// Candidates to queue, oldest first, with the sealed evidence of their sightings.
  var candidates: [(candidate: Candidate, sealed: [SealedEvidence])] = []
  /// Aggregate counts not yet added, by hour and zone.
  var aggregates: [AggregateKey: AggregateCounts] = [:]
  /// When the last retry ran (retries are spaced by `retryInterval`).
  var lastRetry: ContinuousClock.Instant?

  static let retryInterval: Duration = .seconds(1)

  struct AggregateKey: Hashable {
    var hour: Date
    var zone: String
  }

  struct AggregateCounts {
    var reads = 0
    var chalkMarks = 0
    var candidates = 0
  }

  var isEmpty: Bool { candidates.isEmpty && aggregates.isEmpty }

  /// Adds counts to write later, to the hour they belong to.
  mutating func count(hour: Date, zone: String, reads: Int = 0, chalkMarks: Int = 0, candidates: Int = 0) {
    let key = AggregateKey(
      hour: Date(timeIntervalSince1970: (hour.timeIntervalSince1970 / 3600).rounded(.down) * 3600), zone: zone)
    aggregates[key, default: .init()].reads += reads
    aggregates[key, default: .init()].chalkMarks += chalkMarks
    aggregates[key, default: .init()].candidates += candidates
  }
}

extension PatrolPipeline {
  /// Queues a candidate; when the vault refuses it for want of space (or any other write failure
  /// that may pass), it waits sealed in memory and is retried, counted and logged. Returns whether
  /// it was queued now.
  func enqueue(_ candidate: Candidate, sealed: [SealedEvidence]) -> Bool {
    do {
      try vault.enqueueCandidate(candidate, sealed: sealed)
      counters.candidates += 1
      addToAggregate(hour: candidate.second.time, zone: candidate.zone.rawValue, reads: 1, candidates: 1)
      return true
    } catch {
      counters.vaultWriteFailures += 1
      do {
        waiting.candidates.append((candidate, try selfContained(candidate, sealed: sealed)))
      } catch {
        // Its first picture is gone from the vault too: nothing is left to keep.
        logger.error(
          "a violation candidate could not be queued nor kept",
          metadata: ["candidate.id": "\(candidate.id)", "error": "\(error)"])
        return false
      }
      counters.candidatesWaitingForSpace = waiting.candidates.count
      logger.error(
        "violation candidate not written: kept in memory and retried until the vault takes it",
        metadata: [
          "candidate.id": "\(candidate.id)", "candidates.waiting": "\(waiting.candidates.count)", "error": "\(error)",
        ])
      return false
    }
  }

  /// Adds to an hour's plate-free counts; a failed write is counted, logged and retried.
  func addToAggregate(hour: Date, zone: String, reads: Int = 0, chalkMarks: Int = 0, candidates: Int = 0) {
    do {
      try vault.addToAggregate(
        hour: hour, area: .zone(zone), reads: reads, chalkMarks: chalkMarks, candidates: candidates)
    } catch {
      counters.vaultWriteFailures += 1
      waiting.count(hour: hour, zone: zone, reads: reads, chalkMarks: chalkMarks, candidates: candidates)
      logger.error("aggregate not written: retried", metadata: ["error": "\(error)"])
    }
  }

  /// Retries what waits, at most once a second unless `force`d (the end of the stream).
  func retryWaitingWrites(force: Bool = false) {
    guard !waiting.isEmpty else { return }
    let now = ContinuousClock.now
    if !force, let last = waiting.lastRetry, now - last < WaitingWrites.retryInterval { return }
    waiting.lastRetry = now
    while let (candidate, sealed) = waiting.candidates.first {
      do { try vault.enqueueCandidate(candidate, sealed: sealed) } catch {
        logger.debug("waiting candidates still not written", metadata: ["error": "\(error)"])
        break
      }
      waiting.candidates.removeFirst()
      counters.candidates += 1
      waiting.count(hour: candidate.second.time, zone: candidate.zone.rawValue, reads: 1, candidates: 1)
      logger.notice(
        "violation candidate queued for review after waiting for disk space",
        metadata: ["candidate.id": "\(candidate.id)", "candidates.waiting": "\(waiting.candidates.count)"])
    }
    counters.candidatesWaitingForSpace = waiting.candidates.count
    for (key, counts) in waiting.aggregates {
      do {
        try vault.addToAggregate(
          hour: key.hour, area: .zone(key.zone), reads: counts.reads, chalkMarks: counts.chalkMarks,
          candidates: counts.candidates)
        waiting.aggregates[key] = nil
      } catch {
        break
      }
    }
  }

  /// At the end of the stream: what a full disk still holds back is logged as lost.
  func reportUnwritten() {
    counters.candidatesUnwritten = waiting.candidates.count
    guard !waiting.candidates.isEmpty else { return }
    logger.critical(
      "violation candidates lost: the disk stayed full until the pipeline stopped",
      metadata: ["candidates.unwritten": "\(waiting.candidates.count)"])
  }

  /// The evidence of every sighting of the candidate, in memory: what was sealed now, and what
  /// the vault holds read back, so the candidate can wait while its chalk mark goes.
  private func selfContained(_ candidate: Candidate, sealed: [SealedEvidence]) throws -> [SealedEvidence] {
    var kept = sealed
    for evidence in [candidate.first.evidence, candidate.second.evidence] {
      guard let id = evidence.uuid, !kept.contains(where: { $0.id == id }) else { continue }
      guard let stored = try vault.sealedEvidence(id: id) else {
        throw VaultError(
          .evidenceMissing, "Candidate \(candidate.id) names evidence \(id), which the vault no longer holds.")
      }
      kept.append(stored)
    }
    return kept
  }
}
