// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import GRDB

/// The hub's SQLite database as oversight opens it: an existing file whose schema the hub's
/// migrations made (`chalkline-hub` migrates at every start), reached through its own GRDB pool
/// so it can run beside the hub's server (WAL lets both read while one writes).
public final class OversightDatabase: Sendable {
  let pool: DatabasePool

  /// Opens the database at `path`; it must exist and carry the hub's `v2-review` schema.
  public init(path: String) throws {
    guard FileManager.default.fileExists(atPath: path) else {
      throw OversightError(.storage, "The hub database \(path) does not exist; start the hub once to create it.")
    }
    var configuration = Configuration()
    configuration.label = "chalkline.oversight"
    configuration.busyMode = .timeout(10)
    configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
    do {
      pool = try DatabasePool(path: path, configuration: configuration)
      let ready = try pool.read { db in
        try db.tableExists("review_decision")
          && db.columns(in: "candidate").contains { $0.name == "evidence_deleted_at" }
      }
      guard ready else {
        throw OversightError(
          .storage, "The hub database \(path) predates the review schema; run any chalkline-hub command on it once.")
      }
    } catch let error as OversightError {
      throw error
    } catch {
      throw OversightError(.storage, "The hub database \(path) cannot be opened.", cause: error)
    }
  }

  func read<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
    do { return try await pool.read(body) } catch let error as OversightError { throw error } catch {
      throw OversightError(.storage, "The hub database failed while \(what).", cause: error)
    }
  }

  package func write<T: Sendable>(_ what: String, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T
  {
    do { return try await pool.write(body) } catch let error as OversightError { throw error } catch {
      throw OversightError(.storage, "The hub database failed while \(what).", cause: error)
    }
  }
}
