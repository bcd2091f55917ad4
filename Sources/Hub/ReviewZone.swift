// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// What the distributed zones document (Curb Data Specification) says of one curb zone: its
/// name, street and cross streets, and its policies in words, for the officer's page.
public struct ReviewZone: Sendable, Equatable {
  /// The zone's name (`name`), or its id.
  public var name: String
  /// `street_name`, when the document gives one.
  public var street: String?
  /// `cross_street_start_name` and `cross_street_end_name`, when given.
  public var crossStreets: [String]
  /// Each policy of the zone in words (`max 120 minute, no return …`).
  public var policies: [String]
  /// The curb polygon's outer ring (`geometry`, GeoJSON Polygon), latitude and longitude; empty
  /// when the document gives none.
  public var outline: [Point]

  /// A vertex of the outline.
  public struct Point: Sendable, Equatable {
    /// Degrees.
    public var latitude: Double
    /// Degrees.
    public var longitude: Double
  }

  /// Finds zone `zone` in a CDS document (a zones response with its policies inline,
  /// `{"data": {"zones": […], "policies": […]}}`, or the one-document form with `curb_zones` and
  /// `curb_policies`); nil when the document is not CDS or does not hold the zone.
  public init?(zone: String, document: Data) {
    guard let root = try? JSONSerialization.jsonObject(with: document) as? [String: Any],
      let data = root["data"] as? [String: Any],
      let zones = (data["zones"] ?? data["curb_zones"]) as? [[String: Any]],
      let found = zones.first(where: { $0["curb_zone_id"] as? String == zone })
    else { return nil }
    name = found["name"] as? String ?? zone
    street = found["street_name"] as? String
    crossStreets = ["cross_street_start_name", "cross_street_end_name"].compactMap { found[$0] as? String }
    let ids = found["curb_policy_ids"] as? [String] ?? []
    let policies = ((data["policies"] ?? data["curb_policies"]) as? [[String: Any]] ?? []).filter {
      ids.contains($0["curb_policy_id"] as? String ?? "")
    }
    self.policies = policies.map(Self.describe)
    let ring = ((found["geometry"] as? [String: Any])?["coordinates"] as? [Any])?.first as? [Any] ?? []
    outline = ring.prefix(2_000).compactMap { item -> Point? in
      guard let pair = item as? [Any], pair.count >= 2, let lon = (pair[0] as? NSNumber)?.doubleValue,
        let lat = (pair[1] as? NSNumber)?.doubleValue, (-90...90).contains(lat), (-180...180).contains(lon)
      else { return nil }
      return Point(latitude: lat, longitude: lon)
    }
  }

  static func describe(_ policy: [String: Any]) -> String {
    let rules = (policy["rules"] as? [[String: Any]] ?? []).map { rule -> String in
      var words = [rule["activity"] as? String ?? "?"]
      if let stay = rule["max_stay"] { words.append("max \(stay) \(rule["max_stay_unit"] as? String ?? "minute")") }
      if let noReturn = rule["no_return"] { words.append("no return \(noReturn) \(rule["no_return_unit"] ?? "")") }
      if let classes = rule["user_classes"] as? [String], !classes.isEmpty {
        words.append("for \(classes.joined(separator: ", "))")
      }
      return words.joined(separator: ", ")
    }
    let spans = (policy["time_spans"] as? [[String: Any]] ?? []).map { span -> String in
      let days = (span["days_of_week"] as? [String] ?? []).joined(separator: " ")
      let from = span["time_of_day_start"] as? String ?? ""
      let to = span["time_of_day_end"] as? String ?? ""
      return [days, from.isEmpty ? "" : "\(from)–\(to)"].filter { !$0.isEmpty }.joined(separator: " ")
    }
    let id = policy["curb_policy_id"] as? String ?? "policy"
    return "\(id): \(rules.joined(separator: "; "))" + (spans.isEmpty ? "" : " (\(spans.joined(separator: "; ")))")
  }
}

/// A small map-like SVG of a candidate's sightings: both points on a local east/north plane with
/// their uncertainty circles and a distance scale. No tiles, nothing fetched.
enum SightingPlot {
  /// The SVG markup for points given as (latitude, longitude, uncertainty metres), with the curb
  /// zone's outline when there is one. Values out of any sensible range (as a hostile manifest
  /// could hold) are clamped, so the plot never traps.
  static func svg(
    _ points: [(latitude: Double, longitude: Double, uncertainty: Double)], outline: [ReviewZone.Point] = [],
    width: Int = 320
  ) -> String {
    let points = points.filter { $0.latitude.isFinite && $0.longitude.isFinite }
    guard let origin = points.first else { return "" }
    let metresPerDegree = 111_320.0
    func project(_ latitude: Double, _ longitude: Double) -> (x: Double, y: Double) {
      (
        (longitude - origin.longitude) * metresPerDegree * cos(origin.latitude * .pi / 180),
        (latitude - origin.latitude) * metresPerDegree
      )
    }
    let local = points.map { p in
      let (x, y) = project(p.latitude, p.longitude)
      return (x: x, y: y, r: p.uncertainty.isFinite ? min(max(p.uncertainty, 0), 1_000) : 0)
    }
    // The outline is drawn only when it lies near the sightings (within 1 km).
    let ring = outline.map { project($0.latitude, $0.longitude) }
    let zone = ring.allSatisfy { abs($0.x) < 1_000 && abs($0.y) < 1_000 } ? ring : []
    // The plotted square spans the points, their circles and the zone, at least 20 m, at most 50 km.
    let reach = (local.map { max(abs($0.x), abs($0.y)) + $0.r } + zone.map { max(abs($0.x), abs($0.y)) }).max() ?? 20
    let extent = min(max(20, reach) * 2.2, 50_000)
    let height = width
    let scale = Double(width) / extent
    let xs = local.map(\.x) + zone.map(\.x)
    let ys = local.map(\.y) + zone.map(\.y)
    let centre = (x: (xs.min()! + xs.max()!) / 2, y: (ys.min()! + ys.max()!) / 2)
    func px(_ p: (x: Double, y: Double)) -> (Double, Double) {
      let x = Double(width) / 2 + (p.x - centre.x) * scale
      let y = Double(height) / 2 - (p.y - centre.y) * scale
      return (
        min(max(x, -10 * Double(width)), 10 * Double(width)), min(max(y, -10 * Double(height)), 10 * Double(height))
      )
    }
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"sightings plot\">"
    svg += "<rect width=\"100%\" height=\"100%\" fill=\"#eef2e6\" stroke=\"#999\"/>"
    if zone.count >= 3 {
      let vertices = zone.map { p -> String in
        let (x, y) = px(p)
        return String(format: "%.1f,%.1f", x, y)
      }
      svg +=
        "<polygon id=\"zone-outline\" points=\"\(vertices.joined(separator: " "))\" fill=\"#f3d36b\" fill-opacity=\"0.35\" stroke=\"#8a6d00\" stroke-width=\"2\"/>"
    }
    svg += "<text x=\"\(width - 18)\" y=\"18\" font-size=\"12\">N↑</text>"
    let colours = ["#1f5fbf", "#c0392b"]
    for (index, point) in local.enumerated() {
      let (cx, cy) = px((point.x, point.y))
      let colour = colours[index % colours.count]
      let at = String(format: "cx=\"%.1f\" cy=\"%.1f\"", cx, cy)
      let radius = String(format: "%.1f", min(max(point.r * scale, 2), 10 * Double(width)))
      svg += "<circle \(at) r=\"\(radius)\" fill=\"\(colour)\" fill-opacity=\"0.15\" stroke=\"\(colour)\"/>"
      svg += "<circle \(at) r=\"4\" fill=\"\(colour)\"/>"
      svg += String(format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"12\">%d</text>", cx + 6, cy - 6, index + 1)
    }
    let bar = Self.niceLength(extent / 4)
    let barPixels = bar * scale
    svg += String(
      format: "<line x1=\"10\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#000\" stroke-width=\"3\"/>", height - 14,
      10 + barPixels, height - 14)
    svg += "<text x=\"10\" y=\"\(height - 20)\" font-size=\"12\">\(Self.format(bar))</text></svg>"
    return svg
  }

  /// 1, 2 or 5 times a power of ten, not above `length`.
  static func niceLength(_ length: Double) -> Double {
    let power = pow(10, floor(log10(max(length, 0.1))))
    return [5.0, 2, 1].map { $0 * power }.first { $0 <= length } ?? power
  }

  static func format(_ metres: Double) -> String {
    guard metres.isFinite, metres < 1e9 else { return "—" }
    return metres >= 1000
      ? "\(Int(metres / 1000)) km" : metres >= 1 ? "\(Int(metres)) m" : String(format: "%.1f m", metres)
  }
}
