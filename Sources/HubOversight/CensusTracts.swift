// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// A place on the WGS 84 ellipsoid, degrees.
public struct GeoPoint: Sendable, Hashable {
  /// Latitude, degrees north.
  public var latitude: Double
  /// Longitude, degrees east.
  public var longitude: Double

  /// Creates a point.
  public init(latitude: Double, longitude: Double) {
    self.latitude = latitude
    self.longitude = longitude
  }
}

/// One census tract: its GEOID, its name and its outline as GeoJSON polygons (each an outer ring
/// followed by holes).
public struct CensusTract: Sendable, Equatable {
  /// The 11-digit tract GEOID (state, county, tract), e.g. `06085500100`.
  public var geoid: String
  /// The tract's legal name and description (`NAMELSAD`), e.g. `Census Tract 5001`.
  public var name: String
  /// Polygons, each a list of rings: the outer ring first, then its holes.
  public var polygons: [[[GeoPoint]]]

  /// Creates a tract.
  public init(geoid: String, name: String, polygons: [[[GeoPoint]]]) {
    self.geoid = geoid
    self.name = name
    self.polygons = polygons
  }

  /// Whether `point` lies inside one of the polygons and outside that polygon's holes (even-odd
  /// rule; a point exactly on an edge may fall either way).
  public func contains(_ point: GeoPoint) -> Bool {
    polygons.contains { rings in
      guard let outer = rings.first, Self.ring(outer, contains: point) else { return false }
      return !rings.dropFirst().contains { Self.ring($0, contains: point) }
    }
  }

  /// The mean of the outer rings' vertices: a point to label the tract with.
  public var labelPoint: GeoPoint {
    let points = polygons.compactMap(\.first).flatMap { $0 }
    guard !points.isEmpty else { return GeoPoint(latitude: 0, longitude: 0) }
    return GeoPoint(
      latitude: points.map(\.latitude).reduce(0, +) / Double(points.count),
      longitude: points.map(\.longitude).reduce(0, +) / Double(points.count))
  }

  static func ring(_ ring: [GeoPoint], contains point: GeoPoint) -> Bool {
    var inside = false
    var j = ring.count - 1
    for i in ring.indices {
      let a = ring[i]
      let b = ring[j]
      if (a.latitude > point.latitude) != (b.latitude > point.latitude) {
        let crossing =
          a.longitude + (point.latitude - a.latitude) / (b.latitude - a.latitude) * (b.longitude - a.longitude)
        if point.longitude < crossing { inside.toggle() }
      }
      j = i
    }
    return inside
  }
}

/// Census tracts from a TIGER/Line-style GeoJSON `FeatureCollection`: `Polygon` or
/// `MultiPolygon` features with `GEOID` and `NAMELSAD` properties (`GEOID20`/`NAMELSAD20` too).
public struct CensusTracts: Sendable {
  /// The tracts, in file order.
  public var tracts: [CensusTract]

  /// Creates a set of tracts.
  public init(tracts: [CensusTract]) { self.tracts = tracts }

  /// Reads a GeoJSON file.
  public init(contentsOf path: String) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw OversightError(.input, "The tract file \(path) cannot be read.")
    }
    do { try self.init(geoJSON: data) } catch let error as OversightError {
      throw OversightError(.input, "\(path): \(error.message)")
    }
  }

  /// Parses GeoJSON; refuses the whole file, listing every feature that is not a usable tract.
  public init(geoJSON data: Data) throws {
    guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let features = root["features"] as? [Any]
    else {
      throw OversightError(.input, "not a GeoJSON FeatureCollection (an object with a \"features\" array)")
    }
    var tracts: [CensusTract] = []
    var problems: [String] = []
    for (index, item) in features.enumerated() {
      guard let feature = item as? [String: Any], let properties = feature["properties"] as? [String: Any],
        let geometry = feature["geometry"] as? [String: Any]
      else {
        problems.append("features[\(index)]: needs \"properties\" and \"geometry\" objects")
        continue
      }
      guard let geoid = Self.text(properties, ["GEOID", "GEOID20", "GEOID10"]) else {
        problems.append("features[\(index)].properties: no GEOID")
        continue
      }
      let name = Self.text(properties, ["NAMELSAD", "NAMELSAD20", "NAMELSAD10", "NAME"]) ?? "Census Tract \(geoid)"
      let polygons: [[[GeoPoint]]]?
      switch geometry["type"] as? String {
      case "Polygon": polygons = Self.polygon(geometry["coordinates"]).map { [$0] }
      case "MultiPolygon": polygons = (geometry["coordinates"] as? [Any])?.map(Self.polygon).compactMapAll()
      default: polygons = nil
      }
      guard let polygons, !polygons.isEmpty else {
        problems.append(
          "features[\(index)].geometry (\(geoid)): not a Polygon or MultiPolygon of rings of 4+ positions")
        continue
      }
      tracts.append(CensusTract(geoid: geoid, name: name, polygons: polygons))
    }
    guard problems.isEmpty else { throw OversightError(.input, problems.joined(separator: "; ")) }
    self.tracts = tracts
  }

  /// The first tract that contains `point`, or nil when it is outside every tract.
  public func tract(containing point: GeoPoint) -> CensusTract? { tracts.first { $0.contains(point) } }

  static func text(_ properties: [String: Any], _ keys: [String]) -> String? {
    for key in keys {
      if let value = properties[key] as? String, !value.isEmpty { return value }
      if let value = properties[key] as? NSNumber { return value.stringValue }
    }
    return nil
  }

  static func polygon(_ value: Any?) -> [[GeoPoint]]? {
    guard let rings = value as? [Any], !rings.isEmpty else { return nil }
    return rings.map { ring -> [GeoPoint]? in
      guard let positions = ring as? [Any], positions.count >= 4 else { return nil }
      return positions.map { position -> GeoPoint? in
        guard let pair = position as? [Any], pair.count >= 2, let lon = (pair[0] as? NSNumber)?.doubleValue,
          let lat = (pair[1] as? NSNumber)?.doubleValue
        else { return nil }
        return GeoPoint(latitude: lat, longitude: lon)
      }.compactMapAll()
    }.compactMapAll()
  }
}

extension Array {
  /// The unwrapped elements when none is nil; nil otherwise.
  func compactMapAll<T>() -> [T]? where Element == T? {
    var result: [T] = []
    result.reserveCapacity(count)
    for element in self {
      guard let element else { return nil }
      result.append(element)
    }
    return result
  }
}
