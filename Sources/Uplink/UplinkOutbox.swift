// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Wire

/// Where the uplink takes candidates from and reports acknowledgements to: the vault's outbox on
/// the vehicle (`VaultOutbox`), an in-memory one in unit tests (`MemoryOutbox`).
public protocol UplinkOutbox: Sendable {
  /// Up to `limit` queued candidates, oldest first, ready to send.
  func pending(limit: Int) async throws -> [WireCandidate]
  /// Deletes candidates the hub acknowledged holding. Unknown ids are ignored.
  func acknowledge(_ ids: [UUID]) async throws
  /// How many candidates wait.
  func backlog() async throws -> Int
  /// The head of the vehicle's audit log, sent with each batch (nil when there is none).
  func auditHead() async throws -> WireAuditHead?
}

extension UplinkOutbox {
  /// No audit log behind this outbox.
  public func auditHead() async throws -> WireAuditHead? { nil }
}

/// Where plate-free aggregates come from and are marked synced.
public protocol UplinkAggregateSource: Sendable {
  /// Aggregates the hub has not acknowledged yet.
  func unsyncedAggregates() async throws -> [WireAggregate]
  /// Marks those aggregates synced (only if they did not change since they were read).
  func markSynced(_ aggregates: [WireAggregate]) async throws
}

/// An outbox in memory, for tests of the sync logic and for the benchmark.
public final class MemoryOutbox: UplinkOutbox, Sendable {
  private let state = LockedValue<[UUID: (order: Int, candidate: WireCandidate)]>([:])
  private let counter = LockedValue(0)

  /// An empty outbox.
  public init() {}

  /// Queues candidates (an id already queued is kept as it was).
  public func enqueue(_ candidates: [WireCandidate]) {
    for candidate in candidates {
      let order = counter.withLock { value -> Int in
        value += 1
        return value
      }
      state.withLock { queue in
        if queue[candidate.id] == nil { queue[candidate.id] = (order, candidate) }
      }
    }
  }

  /// The ids still queued.
  public var ids: Set<UUID> { state.withLock { Set($0.keys) } }

  public func pending(limit: Int) async throws -> [WireCandidate] {
    state.withLock { queue in queue.values.sorted { $0.order < $1.order }.prefix(limit).map(\.candidate) }
  }

  public func acknowledge(_ ids: [UUID]) async throws {
    state.withLock { queue in for id in ids { queue[id] = nil } }
  }

  public func backlog() async throws -> Int { state.withLock { $0.count } }
}
