// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Logging
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Disk space the agent's vault holds in a file of its own (`space-reserve` in the state
/// directory) while there is room, and gives up when the file system fills outright, so that what
/// must not be lost still fits: a violation candidate with its evidence, a deletion (SQLite needs
/// room in its WAL to delete), an audit entry.
///
/// ``VaultConfiguration/reservedFreeBytes`` keeps the vault's own chalk marks from filling the disk;
/// this keeps room when something else fills it (a log, another program, a technician's copy). The
/// blocks are allocated (`posix_fallocate`), so the space is really taken, and deleting the file
/// frees them at once. Only an exclusive opener configured with a reserve (the agent) holds or
/// gives it up; others only report it.
final class SpaceReserve: Sendable {
  /// The file's path.
  let path: String
  /// The size held when there is room; 0 for none.
  let bytes: Int64
  /// Whether this vault takes and gives up the reserve (the exclusive opener given a size); others
  /// only report it.
  let managed: Bool
  let state = Mutex(State())

  struct State {
    /// Times the reserve was given up to make room since the vault was opened.
    var releases = 0
    /// Whether the last attempt to take the reserve failed for want of room (logged once).
    var waitingForRoom = false
  }

  /// The reserve file's name in the state directory.
  static let fileName = "space-reserve"

  init(stateDirectory: URL, bytes: Int64, managed: Bool) {
    path = stateDirectory.appendingPathComponent(Self.fileName).path
    self.bytes = max(0, bytes)
    self.managed = managed
  }

  /// Bytes the file holds now (0 when it is missing).
  var heldBytes: Int64 {
    guard let status = FileStatus(path: path, followingLinks: false), status.isRegularFile else { return 0 }
    return status.size
  }

  /// Times the reserve was given up since the vault was opened.
  var releases: Int { state.withLock { $0.releases } }
}

extension Vault {
  /// Takes the space reserve (``VaultConfiguration/spaceReserveBytes``) if it is not held and the
  /// file system has room for it beside ``VaultConfiguration/reservedFreeBytes``: at open and after
  /// each retention pass, so a reserve given up comes back once space returns. Returns whether the
  /// reserve is held in full. A failure is logged, never thrown: the vault works without it.
  @discardableResult
  public func holdSpaceReserve() -> Bool {
    let reserve = spaceReserve
    guard reserve.managed else { return true }
    let held = reserve.heldBytes
    if reserve.bytes == 0 {
      // Configured off: a reserve an earlier configuration left is given back.
      if held > 0 { removeReserveFile("space reserve configured off") }
      return true
    }
    if held >= reserve.bytes { return true }
    guard let free = freeBytes(), free - (reserve.bytes - held) >= configuration.reservedFreeBytes else {
      noteReserveWaiting("not enough free space")
      return false
    }
    let fd = SystemCall.retryingInterrupts { open(reserve.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600) }
    guard fd >= 0 else {
      noteReserveWaiting(String(cString: strerror(errno)))
      return false
    }
    defer { Glibc.close(fd) }
    // posix_fallocate returns the error number itself (and emulates the call where the file system lacks it).
    let rc = posix_fallocate(fd, 0, off_t(reserve.bytes))
    guard rc == 0 else {
      // A partial allocation would hold space without being counted as the reserve: give it back.
      removeReserveFile("partial allocation")
      noteReserveWaiting(String(cString: strerror(rc)))
      return false
    }
    let first = reserve.state.withLock { state in
      defer { state.waitingForRoom = false }
      return state.releases > 0 || state.waitingForRoom
    }
    let metadata: Logger.Metadata = ["vault.space_reserve_bytes": "\(reserve.bytes)"]
    if first {
      logger.notice("space reserve taken again: the disk has room", metadata: metadata)
    } else {
      logger.debug("space reserve held", metadata: metadata)
    }
    return true
  }

  /// Gives up the space reserve so that a write refused for want of space can be tried again;
  /// returns whether any space was freed. Counted and logged: the disk is full, and the reserve
  /// is what is left.
  func releaseSpaceReserve(for what: String) -> Bool {
    let reserve = spaceReserve
    guard reserve.managed else { return false }
    let held = reserve.heldBytes
    guard held > 0, removeReserveFile(what) else { return false }
    let releases = reserve.state.withLock { state in
      state.releases += 1
      return state.releases
    }
    logger.error(
      "disk full: space reserve given up so that evidence and deletions still fit; free space on the disk",
      metadata: [
        "vault.write": "\(what)", "vault.space_reserve_bytes": "\(held)",
        "vault.space_reserve_releases": "\(releases)",
      ])
    return true
  }

  /// Deletes the reserve file; a failure is logged (the next release or retention pass tries again).
  @discardableResult
  private func removeReserveFile(_ why: String) -> Bool {
    guard SystemCall.retryingInterrupts({ unlink(spaceReserve.path) }) == 0 || errno == ENOENT else {
      logger.error(
        "space reserve could not be deleted",
        metadata: ["vault.write": "\(why)", "error": "\(String(cString: strerror(errno)))"])
      return false
    }
    return true
  }

  private func noteReserveWaiting(_ reason: String) {
    let first = spaceReserve.state.withLock { state in
      defer { state.waitingForRoom = true }
      return !state.waitingForRoom
    }
    guard first else { return }
    logger.warning(
      "space reserve not held: it is taken once the disk has room",
      metadata: ["vault.space_reserve_bytes": "\(spaceReserve.bytes)", "reason": "\(reason)"])
  }
}
