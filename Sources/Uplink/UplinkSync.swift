// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Logging
import NIOHTTP1
import Wire

/// Moves candidates from the outbox to the hub, exactly once: a candidate is deleted on the
/// vehicle only when a well-formed acknowledgement from the hub names it as held (stored now or
/// earlier). A lost, truncated or garbage reply deletes nothing; the batch is sent again and the
/// hub de-duplicates it by candidate id. Also sends plate-free aggregates and fetches signed
/// documents when they change.
public final class UplinkSync: Sendable {
  /// What one pass did.
  public struct Report: Sendable, Equatable {
    /// Candidates the hub acknowledged holding (and that were deleted locally).
    public var acknowledged = 0
    /// Candidates the hub refused (kept locally).
    public var rejected = 0
    /// Batches sent.
    public var batches = 0
    /// Request body bytes sent.
    public var bytesSent = 0
    /// Reply body bytes received.
    public var bytesReceived = 0
    /// Documents that changed.
    public var documentsUpdated: [DistributionKind] = []
    /// Attempts that failed and were retried (`syncUntilDrained` only).
    public var failedAttempts = 0

    /// An empty report.
    public init() {}
  }

  let connection: HubConnection
  let outbox: any UplinkOutbox
  let aggregates: (any UplinkAggregateSource)?
  /// Verified documents from the hub.
  public let cache: DistributionCache
  /// The uplink's state for `chalkline status`.
  public let status: UplinkStatusBoard
  /// The hub's audit checkpoints received, verified and kept (`hub-audit-checkpoints.jsonl`).
  public let checkpoints: HubCheckpointStore
  let onDocument: @Sendable (SignedDocument) async throws -> Void
  let logger: Logger
  private let refused = LockedValue<Set<UUID>>([])

  /// Creates the sync engine. `onDocument` is called with every newly verified document (the
  /// agent reloads zones, permits, or imports new hub keys into the keyring).
  public init(
    connection: HubConnection, outbox: any UplinkOutbox, aggregates: (any UplinkAggregateSource)? = nil,
    cache: DistributionCache, status: UplinkStatusBoard = UplinkStatusBoard(), logger: Logger,
    onDocument: @escaping @Sendable (SignedDocument) async throws -> Void = { _ in }
  ) {
    self.connection = connection
    self.outbox = outbox
    self.aggregates = aggregates
    self.cache = cache
    self.status = status
    checkpoints = HubCheckpointStore(directory: cache.directory, logger: logger)
    self.logger = logger
    self.onDocument = onDocument
  }

  var configuration: UplinkConfiguration { connection.configuration }

  /// Closes the connection to the hub; call once, after `run()` returned.
  public func shutdown() async throws { try await connection.shutdown() }

  /// Runs `body` with this engine, then closes its connection on every path, thrown errors
  /// included (an HTTP client dropped without a shutdown stops the process).
  public func whileOpen<T: Sendable>(_ body: (UplinkSync) async throws -> T) async throws -> T {
    let result: T
    do { result = try await body(self) } catch {
      try? await shutdown()
      throw error
    }
    try await shutdown()
    return result
  }

  /// Runs until cancelled: a pass every `interval` while the hub answers, backing off with
  /// jitter while it does not. Documents are checked at start and every `documentInterval`.
  public func run() async throws {
    var generator = SystemRandomNumberGenerator()
    var documentsDue = ContinuousClock.now
    while !Task.isCancelled {
      let delay: Duration
      do {
        let checkDocuments = ContinuousClock.now >= documentsDue
        _ = try await syncOnce(refreshDocuments: checkDocuments)
        if checkDocuments { documentsDue = .now + configuration.documentInterval }
        delay = configuration.interval
      } catch is CancellationError {
        return
      } catch {
        let failures = status.failed(error, at: Date())
        delay = configuration.backoff.delay(afterFailures: failures, using: &generator)
        logger.warning(
          "Sync with the hub failed; retrying after a delay.",
          metadata: [
            "uplink.error": "\(error)", "uplink.failures": "\(failures)",
            "uplink.retry_in_s": "\(String(format: "%.1f", delay.seconds))",
          ])
      }
      status.current.save(in: cache.directory)
      try? await Task.sleep(for: delay)
    }
  }

  /// Syncs until the outbox is empty, retrying failed passes with backoff; gives up after
  /// `maxFailures` consecutive failures (then throws the last error). For tests and benchmarks.
  public func syncUntilDrained(maxFailures: Int = 1000) async throws -> Report {
    var generator = SystemRandomNumberGenerator()
    var total = Report()
    var drained = false
    while true {
      do {
        // Batch by batch, so the report counts every acknowledged batch, also those of passes
        // that failed further on.
        if !drained {
          let batch = try await sendNextBatch()
          status.succeeded(at: Date())
          total.add(batch)
          drained = batch.batches == 0
        }
        if drained {
          if let aggregates { try await syncAggregates(aggregates, &total) }
          status.succeeded(at: Date())
          return total
        }
      } catch {
        total.failedAttempts += 1
        let failures = status.failed(error, at: Date())
        if failures >= maxFailures { throw error }
        try await Task.sleep(for: configuration.backoff.delay(afterFailures: failures, using: &generator))
      }
    }
  }

  /// One pass: documents (if asked), every batch in the outbox, aggregates. Throws at the first
  /// failure; what was acknowledged before it stays acknowledged.
  public func syncOnce(refreshDocuments: Bool = true) async throws -> Report {
    var report = Report()
    if refreshDocuments {
      report.documentsUpdated = try await self.refreshDocuments()
      try await refreshCheckpoint()
    }
    while true {
      let batch = try await sendNextBatch()
      report.add(batch)
      if batch.batches == 0 { break }
    }
    if let aggregates { try await syncAggregates(aggregates, &report) }
    status.succeeded(at: Date())
    return report
  }

  /// Sends one batch from the outbox (nothing when it is empty) and deletes what the hub holds.
  public func sendNextBatch() async throws -> Report {
    var report = Report()
    let skip = refused.withLock { $0 }
    let candidates: [WireCandidate]
    do {
      candidates = try await outbox.pending(limit: configuration.batchSize + skip.count).filter {
        !skip.contains($0.id)
      }
    } catch {
      throw UplinkError(.local, "The outbox cannot be read.", cause: error)
    }
    var batch: [WireCandidate] = []
    var size = 0
    for candidate in candidates.prefix(configuration.batchSize) {
      if !batch.isEmpty, size + candidate.approximateWireSize > configuration.maxBatchBytes { break }
      batch.append(candidate)
      size += candidate.approximateWireSize
    }
    status.update { $0.backlog = candidates.count }
    guard !batch.isEmpty else { return report }
    let head: WireAuditHead?
    do { head = try await outbox.auditHead() } catch {
      // The batch goes without it; the hub compares the next head it gets.
      logger.warning("The audit head cannot be read; the batch is sent without it.", metadata: ["error": "\(error)"])
      head = nil
    }
    let body = try UplinkAPI.encoder().encode(CandidateBatch(candidates: batch, auditHead: head))
    let reply = try await connection.send(.POST, UplinkAPI.candidateBatches, body: body, maxReplyBytes: 4 << 20)
    report.batches = 1
    report.bytesSent = body.count
    report.bytesReceived = reply.body.count
    let acknowledgement = try Self.checkAcknowledgement(reply, sent: batch.map(\.id))
    let held = acknowledgement.results.filter(\.hubHoldsIt).map(\.id)
    do { try await outbox.acknowledge(held) } catch {
      // The hub holds them; the next pass sends them again and the hub answers "duplicate".
      throw UplinkError(.local, "Acknowledged candidates could not be deleted from the outbox.", cause: error)
    }
    report.acknowledged = held.count
    for result in acknowledgement.results where result.disposition == .rejected {
      refused.withLock { _ = $0.insert(result.id) }
      report.rejected += 1
      logger.error(
        "The hub refused a candidate; it stays on the vehicle. Check the device key registered at the hub.",
        metadata: ["uplink.candidate": "\(result.id)", "uplink.reason": "\(result.reason ?? "none given")"])
    }
    status.update {
      $0.sent += held.count
      $0.rejected = refused.withLock { $0.count }
      $0.backlog = max(0, $0.backlog - held.count)
    }
    logger.debug("Batch acknowledged.", metadata: ["uplink.held": "\(held.count)", "uplink.sent": "\(batch.count)"])
    return report
  }

  /// Checks a batch reply strictly: status 200, a version-1 acknowledgement that answers for every
  /// candidate sent, exactly once, and for nothing else. Anything else is a bad reply and deletes
  /// nothing (an acknowledgement that skipped candidates would otherwise have the device resend
  /// them forever within one pass).
  static func checkAcknowledgement(_ reply: HubConnection.Reply, sent: [UUID]) throws -> BatchAcknowledgement {
    guard reply.status == 200 else {
      throw UplinkError(
        .status, "The hub answered \(reply.status) to a candidate batch\(Self.hint(reply.status)).",
        cause: ErrorText(String(decoding: reply.body.prefix(300), as: UTF8.self)))
    }
    let acknowledgement: BatchAcknowledgement
    do { acknowledgement = try UplinkAPI.decoder().decode(BatchAcknowledgement.self, from: reply.body) } catch {
      throw UplinkError(
        .badReply, "The hub's reply to a candidate batch is not an acknowledgement; nothing was deleted.",
        cause: error)
    }
    let sentIDs = Set(sent)
    var seen = Set<UUID>()
    guard acknowledgement.version == 1,
      acknowledgement.results.allSatisfy({ sentIDs.contains($0.id) && seen.insert($0.id).inserted }),
      seen == sentIDs
    else {
      throw UplinkError(
        .badReply,
        "The hub's acknowledgement does not answer for exactly the candidates sent (one missing, unknown or "
          + "twice); nothing was deleted.")
    }
    return acknowledgement
  }

  static func hint(_ status: Int) -> String {
    switch status {
    case 401, 403: " (is this device registered at the hub with this certificate? `chalkline-hub devices add`)"
    case 413: " (the batch is too large: lower the uplink batch size)"
    case 500...599: " (the hub failed; it will be retried)"
    default: ""
    }
  }
}

extension UplinkSync.Report {
  mutating func add(_ other: Self) {
    acknowledged += other.acknowledged
    rejected += other.rejected
    batches += other.batches
    bytesSent += other.bytesSent
    bytesReceived += other.bytesReceived
    documentsUpdated += other.documentsUpdated
    failedAttempts += other.failedAttempts
  }
}
