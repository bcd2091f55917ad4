// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import GRDB
import Logging
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// Everything the vehicle keeps: chalk marks, sealed evidence, the outbox of candidates,
/// plate-free aggregates and the audit log, in one SQLite database (WAL, `synchronous=FULL`,
/// `secure_delete`, incremental vacuum) in the state directory, beside the keyring.
///
/// All writes go through GRDB's single serialized writer (a dispatch queue of its own, off the
/// cooperative pool); reads run concurrently on WAL snapshots. Synchronous methods block the
/// calling thread: from async code use the `async` variants (`Vault+Async.swift`).
public final class Vault: Sendable {
  /// The state directory (0700).
  public let stateDirectory: URL
  /// Limits and retention.
  public let configuration: VaultConfiguration
  let pool: DatabasePool
  let logger: Logger
  let keyringState: Mutex<Keyring>
  let windowKeys: WindowKeyStore
  /// Descriptor of `vault.lock` held (with `flock`) by an exclusive opener; -1 if none (or
  /// once released by ``close()``).
  private let lockState: Mutex<Int32>
  /// Writes that failed for want of space since this vault was opened (kept in memory: the
  /// database is what could not be written).
  let diskFullFailures = Mutex<Int>(0)
  /// Space held in a file and given up when the disk fills (`Vault+SpaceReserve.swift`).
  let spaceReserve: SpaceReserve
  /// Whether deleted rows may still be in the WAL or in freed pages: set when a scrub after a
  /// deletion was deferred or failed, cleared by a truncating checkpoint (`Vault+Scrub.swift`).
  /// Kept in memory: an exclusive opener scrubs at open, so a restart owes nothing it forgot.
  let scrubOwed = Mutex<Bool>(false)

  /// The database file name inside the state directory.
  public static let databaseName = "vault.sqlite"

  /// Opens the vault in `stateDirectory`, whose keyring must exist (`Keyring.create`).
  ///
  /// Checks that the directory and every file in it are private to this user, migrates the
  /// database, and with `exclusive` (the agent, key changes) takes `vault.lock` so that no other
  /// exclusive opener runs at the same time. Non-exclusive openers (status, audit verify) may
  /// read and append audit entries beside a running agent.
  public init(
    stateDirectory: URL, configuration: VaultConfiguration = VaultConfiguration(), exclusive: Bool = true,
    logger: Logger
  ) throws {
    self.stateDirectory = stateDirectory
    self.configuration = configuration
    self.logger = logger
    let keyring = try Keyring.load(from: stateDirectory)
    try Self.checkStateDirectory(stateDirectory)
    let lockDescriptor = exclusive ? try Self.lock(stateDirectory) : -1
    lockState = Mutex(lockDescriptor)
    do {
      let path = stateDirectory.appendingPathComponent(Self.databaseName).path
      try SecureFiles.ensurePrivateFile(path)
      var config = Configuration()
      config.label = "chalkline.vault"
      config.foreignKeysEnabled = true
      config.busyMode = .timeout(configuration.busyTimeout.seconds)
      config.maximumReaderCount = 2
      config.prepareDatabase { db in
        try db.execute(sql: "PRAGMA secure_delete = ON")
      }
      pool = try DatabasePool(path: path, configuration: config)
      try pool.writeWithoutTransaction { db in
        // GRDB sets synchronous=NORMAL for WAL; evidence needs FULL (a commit survives power loss).
        try db.execute(sql: "PRAGMA synchronous = FULL")
        // A batch of sealed sightings is several MiB: with SQLite's default 2 MiB cache the
        // writer spills dirty pages to the WAL mid-transaction and writes them again at commit.
        try db.execute(sql: "PRAGMA cache_size = -32768")
        // auto_vacuum can only change on a fresh database or with VACUUM; do it once.
        if try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") != 2 {
          try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
          try db.execute(sql: "VACUUM")
        }
      }
      try VaultSchema.migrator(cipher: StorageCipher(keyring: keyring)).migrate(pool)
      try Self.moveLegacyWindowKeys(keyring, pool, logger)
    } catch let error as VaultError {
      if lockDescriptor >= 0 { Glibc.close(lockDescriptor) }
      throw error
    } catch {
      if lockDescriptor >= 0 { Glibc.close(lockDescriptor) }
      throw VaultError(
        .database, "Cannot open the vault database in \(stateDirectory.path); check free space and the file.",
        cause: error)
    }
    keyringState = Mutex(keyring)
    windowKeys = WindowKeyStore()
    spaceReserve = SpaceReserve(
      stateDirectory: stateDirectory, bytes: configuration.spaceReserveBytes ?? 0,
      managed: exclusive && configuration.spaceReserveBytes != nil)
    holdSpaceReserve()
    if exclusive {
      // A scrub the last run still owed (a reader held the WAL, the disk was full, or the process
      // stopped between a deletion and its scrub) is done now; a failure leaves it owed.
      scrubIfOwed(due: true)
    }
    logger.debug(
      "vault opened", metadata: ["vault.state_dir": "\(stateDirectory.path)", "vault.exclusive": "\(exclusive)"])
  }

  deinit {
    releaseLock()
  }

  /// Releases `vault.lock` (once): at close, so the next exclusive opener need not wait for
  /// whatever still holds a reference to this vault object to let go of it.
  func releaseLock() {
    lockState.withLock { descriptor in
      if descriptor >= 0 { Glibc.close(descriptor) }
      descriptor = -1
    }
  }

  /// The current keyring.
  public var keyring: Keyring { keyringState.withLock { $0 } }

  var cipher: StorageCipher { keyringState.withLock { StorageCipher(keyring: $0) } }

  /// Runs a write transaction on the serialized writer, turning database errors into `VaultError`:
  /// a full file system (`SQLITE_FULL`, or an I/O error while almost no space is left) becomes
  /// `.diskFull`, counted and logged; the transaction was rolled back, so the caller may retry.
  /// With `usingReserve` (what must not be lost: candidates, deletions, the audit log), a write
  /// refused for want of space gives up the space reserve and is tried once more.
  func write<T>(
    _ what: @autoclosure () -> String, usingReserve: Bool = false, _ body: (Database) throws -> T
  ) throws -> T {
    do { return try writeOnce(what(), body) } catch let error as VaultError {
      guard usingReserve, error.code == .diskFull, releaseSpaceReserve(for: what()) else { throw error }
      return try writeOnce(what(), body)
    }
  }

  private func writeOnce<T>(_ what: @autoclosure () -> String, _ body: (Database) throws -> T) throws -> T {
    do { return try pool.write(body) } catch let error as VaultError {
      if error.code == .diskFull { noteDiskFull(what(), error) }
      throw error
    } catch {
      throw databaseError(what(), error, advice: "check free space and the database file.")
    }
  }

  /// The `VaultError` for a failed database operation: `.diskFull` (counted and logged) when the
  /// file system is full, `.database` otherwise.
  func databaseError(_ what: String, _ error: any Error, advice: String) -> VaultError {
    guard isDiskFull(error) else { return VaultError(.database, "\(what) failed; \(advice)", cause: error) }
    let failure = VaultError(
      .diskFull,
      "\(what) failed: the file system of \(stateDirectory.path) is full; nothing was written. "
        + "Free space there (or wait for the uplink to send the outbox).", cause: error)
    noteDiskFull(what, failure)
    return failure
  }

  /// Whether a database error means the file system is full: `SQLITE_FULL`, or an I/O error
  /// (SQLite reports a WAL index it cannot grow that way) while less than a MiB is free.
  func isDiskFull(_ error: any Error) -> Bool {
    guard let error = error as? DatabaseError else { return false }
    if error.resultCode == .SQLITE_FULL { return true }
    return error.resultCode == .SQLITE_IOERR && (freeBytes().map { $0 < 1 << 20 } ?? false)
  }

  /// Counts and logs a write refused for want of space.
  func noteDiskFull(_ what: String, _ error: VaultError) {
    let count = diskFullFailures.withLock { count in
      count += 1
      return count
    }
    logger.error(
      "vault write failed: disk full",
      metadata: ["vault.write": "\(what)", "vault.disk_full_failures": "\(count)", "error": "\(error)"])
  }

  /// Bytes free for this user on the state directory's file system, nil when `statvfs` fails.
  public func freeBytes() -> Int64? {
    var info = statvfs()
    guard statvfs(stateDirectory.path, &info) == 0 else { return nil }
    return Int64(info.f_bavail) * Int64(info.f_frsize)
  }

  /// Runs a read on a WAL snapshot, turning database errors into `VaultError`.
  func read<T>(_ what: @autoclosure () -> String, _ body: (Database) throws -> T) throws -> T {
    do { return try pool.read(body) } catch let error as VaultError { throw error } catch {
      throw VaultError(.database, "\(what()) failed; check the database file.", cause: error)
    }
  }

  /// Checks the state directory's entries: private directories and regular private files only.
  static func checkStateDirectory(_ directory: URL) throws {
    for name in try SecureFiles.list(directory.path) {
      let path = directory.appendingPathComponent(name).path
      guard let status = FileStatus(path: path, followingLinks: false) else { continue }
      if status.isDirectory {
        try SecureFiles.checkDirectory(path)
      } else {
        try SecureFiles.checkFile(path)
      }
    }
  }

  private static func lock(_ directory: URL) throws -> Int32 {
    let path = directory.appendingPathComponent("vault.lock").path
    let fd = try SecureFiles.call("Opening \(path)") { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
      Glibc.close(fd)
      throw VaultError(
        .database,
        "Another process holds the vault in \(directory.path) (vault.lock); stop the agent before changing keys.")
    }
    return fd
  }

  /// Moves window keys kept as files by earlier versions into `window_key` (for windows that still
  /// have a row), then destroys every such file: insert first, so a crash in between only leaves a
  /// file that the next open destroys.
  static func moveLegacyWindowKeys(_ keyring: Keyring, _ pool: DatabasePool, _ logger: Logger) throws {
    let files = try WindowKeyStore.legacyKeyFiles(in: keyring.directory)
    guard !files.isEmpty else { return }
    let cipher = StorageCipher(keyring: keyring)
    try pool.write { db in
      for file in files {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM chalk_window WHERE id = ?", arguments: [file.id]) == true
        else { continue }
        let bytes = try KeyFile.read(.window, at: file.path)
        guard bytes.count == 32 else { throw VaultError(.badKeyFile, "\(file.path) is not a 256-bit key.") }
        try db.execute(
          sql: "INSERT OR IGNORE INTO window_key (window_id, sealed) VALUES (?, ?)",
          arguments: [file.id, try WindowKeyStore.seal(SymmetricKey(data: bytes), window: file.id, cipher)])
      }
    }
    for file in files { try SecureFiles.destroy(file.path) }
    logger.notice("window keys moved into the vault", metadata: ["vault.window_key_files": "\(files.count)"])
  }

  /// The integrity check of the database file: `["ok"]` when sound.
  public func integrityCheck() throws -> [String] {
    try read("Checking database integrity") { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
  }

  /// Runs a WAL checkpoint that truncates the WAL file, so freed pages leave it.
  public func checkpoint() throws {
    do { try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) } } catch {
      throw databaseError("Checkpointing the vault", error, advice: "check the database file.")
    }
  }
}

extension Vault {
  /// Closes the database connections and releases the vault's lock. Later calls fail.
  public func close() throws {
    do { try pool.close() } catch {
      throw VaultError(.database, "Closing the vault failed.", cause: error)
    }
    releaseLock()
  }

  /// ``close()`` at the end of a command or on an error path, where there is nothing left to
  /// throw to: a failure is logged, not swallowed. What committed is in the database or its WAL,
  /// and the next opener recovers it; the lock goes with the process.
  public func closeLoggingFailure() {
    do { try close() } catch {
      logger.error(
        "closing the vault failed: the next start recovers what committed", metadata: ["error": "\(error)"])
    }
  }
}
