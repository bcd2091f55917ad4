// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import GRDB

/// Where each enforcement zone is, so the reads counted per zone can be put on the map. A zone's
/// place is the centre of its curb polygon in the newest zones document the hub distributes
/// (Curb Data Specification: `data.curb_zones[].curb_zone_id` and `geometry`); a zone that
/// document does not hold is placed at the mean of its candidates' last sightings.
public struct ZonePlaces: Sendable {
  /// How a zone was placed.
  public enum Source: String, Sendable, Codable {
    /// From the zones document's curb polygon.
    case zonesDocument = "zones document"
    /// From the mean of candidate coordinates seen in the zone.
    case candidates = "candidate coordinates"
  }

  /// The place of each zone and how it was found.
  public var places: [String: (point: GeoPoint, source: Source)]

  static func load(_ db: Database, candidates: [CandidateFacts]) throws -> ZonePlaces {
    var places: [String: (point: GeoPoint, source: Source)] = [:]
    var sums: [String: (lat: Double, lon: Double, n: Int)] = [:]
    for fact in candidates {
      let sum = sums[fact.zone] ?? (0, 0, 0)
      sums[fact.zone] = (sum.lat + fact.last.latitude, sum.lon + fact.last.longitude, sum.n + 1)
    }
    for (zone, sum) in sums {
      places[zone] = (GeoPoint(latitude: sum.lat / Double(sum.n), longitude: sum.lon / Double(sum.n)), .candidates)
    }
    if let body = try Data.fetchOne(
      db, sql: "SELECT body FROM document WHERE kind = 'zones' ORDER BY version DESC LIMIT 1")
    {
      for (zone, point) in Self.curbZoneCentres(body) { places[zone] = (point, .zonesDocument) }
    }
    return ZonePlaces(places: places)
  }

  /// The mean vertex of each curb zone's outer ring in a CDS zones document.
  static func curbZoneCentres(_ body: Data) -> [String: GeoPoint] {
    guard let root = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return [:] }
    let data = root["data"] as? [String: Any]
    let zones = (data?["zones"] ?? data?["curb_zones"] ?? root["curb_zones"]) as? [Any] ?? []
    var result: [String: GeoPoint] = [:]
    for case let zone as [String: Any] in zones {
      guard let id = zone["curb_zone_id"] as? String, let geometry = zone["geometry"] as? [String: Any],
        let ring = (geometry["coordinates"] as? [Any])?.first as? [Any]
      else { continue }
      let points = ring.compactMap { item -> GeoPoint? in
        guard let pair = item as? [Any], pair.count >= 2, let lon = (pair[0] as? NSNumber)?.doubleValue,
          let lat = (pair[1] as? NSNumber)?.doubleValue
        else { return nil }
        return GeoPoint(latitude: lat, longitude: lon)
      }
      guard !points.isEmpty else { continue }
      result[id] = GeoPoint(
        latitude: points.map(\.latitude).reduce(0, +) / Double(points.count),
        longitude: points.map(\.longitude).reduce(0, +) / Double(points.count))
    }
    return result
  }
}
