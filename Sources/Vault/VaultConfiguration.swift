// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel

/// Limits and retention for the vault, normally taken from the device profile.
public struct VaultConfiguration: Sendable, Equatable {
  /// The most bytes the database may hold (live pages). When reached, new chalk marks are refused
  /// (and counted); candidates and their evidence are still stored. Default 2 GiB.
  public var maxBytes: Int64
  /// How long an unsynced candidate may wait on the vehicle before retention raises an alarm.
  /// It is never deleted for being old. Default 72 hours.
  public var maxUnsyncedCandidateAge: Duration
  /// How long aggregates already synced upstream are kept on the vehicle. Default 30 days.
  public var syncedAggregateRetention: Duration
  /// How long a writer waits for a lock held by another process before failing. Default 5 s.
  public var busyTimeout: Duration
  /// Free space the state directory's file system keeps for what must not be lost: below it new
  /// chalk marks are refused (like at the quota), while candidates and their evidence, the audit
  /// log, deletions, key files and the status file still use it. Default 32 MiB (a candidate with
  /// its two sealed sightings is a few hundred KiB).
  public var reservedFreeBytes: Int64
  /// Space the agent holds in a file of the state directory (`space-reserve`) and gives up when
  /// the file system fills outright, so that a candidate, a deletion or an audit entry still fits
  /// when something else took the free space; taken again once there is room. 0: none (a reserve
  /// left there is deleted). `nil`, the default: this opener leaves the reserve as it finds it (the
  /// key commands, which run while the agent is stopped); the agent passes its profile's
  /// `vault.space_reserve` (16 MiB unless set).
  public var spaceReserveBytes: Int64?

  /// Creates a configuration; every value has a documented default.
  public init(
    maxBytes: Int64 = 2 << 30,
    maxUnsyncedCandidateAge: Duration = .seconds(72 * 3600),
    syncedAggregateRetention: Duration = .seconds(30 * 86400),
    busyTimeout: Duration = .seconds(5),
    reservedFreeBytes: Int64 = 32 << 20,
    spaceReserveBytes: Int64? = nil
  ) {
    self.maxBytes = maxBytes
    self.maxUnsyncedCandidateAge = maxUnsyncedCandidateAge
    self.syncedAggregateRetention = syncedAggregateRetention
    self.busyTimeout = busyTimeout
    self.reservedFreeBytes = reservedFreeBytes
    self.spaceReserveBytes = spaceReserveBytes
  }
}
