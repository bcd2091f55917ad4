// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import GRDB
import Hub
import HubOversight
import Logging

let quietLogger: Logger = {
  var logger = Logger(label: "oversight-tests")
  logger.logLevel = .critical
  return logger
}()

/// A plate text planted in sealed evidence and corrected text; no output may contain it.
let plantedPlate = "7QZX942"

/// A hub database made by the hub's own migrator, plus a raw GRDB handle to build rows by hand.
struct TestHub {
  let path: String
  let storage: SQLiteHubStorage
  let raw: DatabaseQueue
  let oversight: OversightDatabase

  init(in directory: URL) throws {
    path = directory.appendingPathComponent("hub.sqlite").path
    storage = try SQLiteHubStorage(path: path)
    raw = try DatabaseQueue(path: path)
    oversight = try OversightDatabase(path: path)
  }

  /// A service over the same storage, for `verifyAuditChain`.
  func service(keysIn directory: URL) throws -> HubService {
    let keysDirectory = directory.appendingPathComponent("keys").path
    let keys = try HubKeys.create(in: keysDirectory)
    let configuration = HubConfiguration(
      tls: .init(certificate: "/nonexistent", privateKey: "/nonexistent", clientCa: "/nonexistent"), database: path,
      keysDirectory: keysDirectory, distributionDirectory: directory.path)
    return HubService(configuration: configuration, storage: storage, keys: keys, logger: quietLogger)
  }

  func addDevice(_ id: String, name: String) throws {
    try raw.write { db in
      try db.execute(
        sql: "INSERT INTO device (id, name, certificate_sha256, signing_key, registered_at) VALUES (?, ?, ?, ?, 0)",
        arguments: [id, name, "cert-\(id)", Data(repeating: 1, count: 32)])
    }
  }

  /// Inserts a candidate by hand: last sighting at `point` and `time`, two evidence rows holding
  /// the planted plate in their bytes, and a decision unless `outcome` is nil (pending).
  @discardableResult
  func addCandidate(
    device: String, zone: String, at point: (Double, Double), time: String, outcome: String? = nil,
    reason: String = "", decidedAt: Date? = nil, closedAt: Date? = nil, corrected: Bool = false
  ) throws -> String {
    let id = UUID().uuidString
    try raw.write { db in
      try db.execute(
        sql: """
          INSERT INTO candidate (id, device_id, rule, zone, decided_at, manifest, signature, manifest_sha256,
            first_time, first_latitude, first_longitude, first_uncertainty_m,
            last_time, last_latitude, last_longitude, last_uncertainty_m, received_at, review_state)
          VALUES (?, ?, 'max_stay', ?, ?, ?, ?, 'digest', ?, ?, ?, 4.5, ?, ?, ?, 4.5, 0, ?)
          """,
        arguments: [
          id, device, zone, time, Data("{\"plate\":\"\(plantedPlate)\"}".utf8), Data(), time, point.0, point.1, time,
          point.0, point.1, outcome ?? "pending",
        ])
      for position in 0..<2 {
        try db.execute(
          sql: """
            INSERT INTO evidence (candidate_id, position, id, captured_at, plate_sha256, vehicle_sha256,
              encapsulated_key, ciphertext) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            id, position, UUID().uuidString, time, Data(plantedPlate.utf8), Data(), Data(), Data(plantedPlate.utf8),
          ])
      }
      if let outcome {
        try db.execute(
          sql: """
            INSERT INTO review_decision (candidate_id, outcome, reason, note, corrected_text, reviewer, decided_at,
              citation_closed_at) VALUES (?, ?, ?, ?, ?, 'officer1', ?, ?)
            """,
          arguments: [
            id, outcome, reason, "note mentions \(plantedPlate)", corrected ? Data(plantedPlate.utf8) : nil,
            Self.ms(decidedAt ?? Date(timeIntervalSince1970: 1_772_442_000)), closedAt.map(Self.ms),
          ])
      }
    }
    return id
  }

  func addAggregate(device: String, hour: String, kind: String = "zone", area: String, reads: Int) throws {
    try raw.write { db in
      try db.execute(
        sql: """
          INSERT INTO aggregate (device_id, hour, area_kind, area, reads, chalk_marks, candidates, received_at)
          VALUES (?, ?, ?, ?, ?, 0, 0, 0)
          """, arguments: [device, hour, kind, area, reads])
    }
  }

  func addZonesDocument(_ zones: [String: (Double, Double)]) throws {
    let curbZones = zones.map { id, point in
      let (lat, lon) = point
      return [
        "curb_zone_id": id,
        "geometry": [
          "type": "Polygon",
          "coordinates": [
            [[lon - 0.0001, lat], [lon + 0.0001, lat], [lon + 0.0001, lat + 0.0001], [lon - 0.0001, lat]]
          ],
        ],
      ] as [String: Any]
    }
    let body = try JSONSerialization.data(withJSONObject: ["version": "1.0", "data": ["curb_zones": curbZones]])
    try raw.write { db in
      try db.execute(
        sql: "INSERT INTO document (kind, version, issued_at, body, signature) VALUES ('zones', 1, ?, ?, ?)",
        arguments: ["2026-01-01T00:00:00.000Z", body, Data()])
    }
  }

  func count(_ sql: String) throws -> Int { try raw.read { db in try Int.fetchOne(db, sql: sql) ?? 0 } }

  static func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
}

func day(_ text: String) -> Date { OversightDates.parse(text)! }

/// Every file of a directory, as text.
func contents(of directory: URL) throws -> [String: String] {
  var result: [String: String] = [:]
  for name in try FileManager.default.contentsOfDirectory(atPath: directory.path) {
    result[name] = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
  }
  return result
}
