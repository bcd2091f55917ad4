// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Loads a Curb Data Specification zones file:
/// `{"time_zone": "America/Los_Angeles", "data": {"curb_zones": […], "curb_policies": […],
/// "designated_periods": {"holidays": ["2026-01-01", …]}}}`.
///
/// `designated_periods` is Chalkline's addition to CDS: the named lists of days that time spans
/// refer to with `designated_period`. Keys CDS defines that Chalkline does not use are ignored.
/// Every problem is collected, then the file is refused as a whole.
public struct ZonesFileLoader {
  let file: String
  var problems: [ZonesFileProblem] = []

  init(file: String) { self.file = file }

  /// Loads and validates a zones file from disk.
  public static func load(contentsOf url: URL) throws(ZonesFileError) -> ZoneSet {
    let data: Data
    do {
      data = try Data(contentsOf: url)
    } catch {
      throw ZonesFileError(
        code: .unreadable, message: "\(url.path): cannot read the zones file; check that it exists and is readable",
        cause: error)
    }
    return try parse(data, file: url.path)
  }

  /// Validates zones-file bytes; `file` names it in messages.
  public static func parse(_ data: Data, file: String) throws(ZonesFileError) -> ZoneSet {
    guard String(data: data, encoding: .utf8) != nil else {
      throw ZonesFileError(code: .unreadable, message: "\(file): the zones file is not UTF-8 text")
    }
    let root: JSONNode
    do {
      root = try JSONTextParser.parse(data)
    } catch {
      let problem = ZonesFileProblem(
        file: file, line: error.line, keyPath: "(document)", problem: error.message, expected: "JSON text")
      throw ZonesFileError(code: .invalid, message: "\(file): the zones file is not valid JSON", problems: [problem])
    }
    var loader = ZonesFileLoader(file: file)
    let set = loader.document(root)
    if let set, loader.problems.isEmpty { return set }
    throw ZonesFileError(
      code: .invalid,
      message: "\(file): the zones file has \(loader.problems.count) problem(s); none of it was loaded",
      problems: loader.problems.sorted { ($0.line, $0.keyPath) < ($1.line, $1.keyPath) })
  }

  // MARK: - Document

  mutating func document(_ root: JSONNode) -> ZoneSet? {
    guard root.members != nil else {
      report(root, "(document)", "the document is \(root.typeName)", expected: "an object with time_zone and data")
      return nil
    }
    var timeZone: TimeZone?
    if let node = require(root, "time_zone", in: "", as: "a string") {
      if let name = string(node, "time_zone", expected: "an IANA time zone name such as America/Los_Angeles") {
        timeZone = TimeZone(identifier: name)
        if timeZone == nil {
          report(
            node, "time_zone", "unknown time zone \"\(name)\"", expected: "an IANA name such as America/Los_Angeles")
        }
      }
    }
    guard let data = require(root, "data", in: "", as: "an object"), object(data, "data") else { return nil }
    let periods = designatedPeriods(data["designated_periods"], path: "data.designated_periods")
    var policies: [CurbPolicy] = []
    // Ids of every policy written, valid or not: a zone naming a policy that has problems of its
    // own is not reported a second time.
    var declared: Set<PolicyID> = []
    if let list = require(data, "curb_policies", in: "data", as: "an array"),
      let items = array(list, "data.curb_policies")
    {
      var seen: [String: Int] = [:]
      for (i, item) in items.enumerated() {
        let path = "data.curb_policies[\(i)]"
        if let id = item["curb_policy_id"]?.string { declared.insert(PolicyID(id)) }
        guard let policy = policy(item, path: path, periods: periods) else { continue }
        if let first = seen[policy.id.rawValue] {
          report(
            item, path + ".curb_policy_id", "duplicate id \"\(policy.id)\" (first on line \(first))",
            expected: "a unique id")
        } else {
          seen[policy.id.rawValue] = item.line
          policies.append(policy)
        }
      }
    }
    var zones: [CurbZone] = []
    if let list = require(data, "curb_zones", in: "data", as: "an array"), let items = array(list, "data.curb_zones") {
      let known = declared
      var seen: [String: Int] = [:]
      for (i, item) in items.enumerated() {
        let path = "data.curb_zones[\(i)]"
        guard let zone = zone(item, path: path, knownPolicies: known) else { continue }
        if let first = seen[zone.id.rawValue] {
          report(
            item, path + ".curb_zone_id", "duplicate id \"\(zone.id)\" (first on line \(first))",
            expected: "a unique id")
        } else {
          seen[zone.id.rawValue] = item.line
          zones.append(zone)
        }
      }
    }
    guard let timeZone else { return nil }
    return ZoneSet(zones: zones, policies: policies, timeZone: timeZone, designatedPeriods: periods)
  }

  mutating func designatedPeriods(_ node: JSONNode?, path: String) -> [String: [CivilDate]] {
    guard let node else { return [:] }
    guard let members = node.members else {
      report(
        node, path, "is \(node.typeName)",
        expected: "an object mapping each period's name to a list of YYYY-MM-DD dates")
      return [:]
    }
    var periods: [String: [CivilDate]] = [:]
    for member in members {
      let memberPath = "\(path).\(member.key)"
      guard let items = array(member.node, memberPath) else { continue }
      var dates: [CivilDate] = []
      for (i, item) in items.enumerated() {
        guard let text = string(item, "\(memberPath)[\(i)]", expected: "a date YYYY-MM-DD") else { continue }
        if let date = CivilDate(iso: text) {
          dates.append(date)
        } else {
          report(item, "\(memberPath)[\(i)]", "\"\(text)\" is not a date", expected: "YYYY-MM-DD")
        }
      }
      periods[member.key] = dates
    }
    return periods
  }

  // MARK: - Zones

  mutating func zone(_ node: JSONNode, path: String, knownPolicies: Set<PolicyID>) -> CurbZone? {
    guard object(node, path) else { return nil }
    let id = require(node, "curb_zone_id", in: path, as: "a string").flatMap {
      nonEmptyString($0, path + ".curb_zone_id")
    }
    let polygon = require(node, "geometry", in: path, as: "a GeoJSON Polygon").flatMap {
      geometry($0, path + ".geometry")
    }
    var policyIDs: [PolicyID] = []
    if let list = require(node, "curb_policy_ids", in: path, as: "an array of policy ids"),
      let items = array(list, path + ".curb_policy_ids")
    {
      if items.isEmpty { report(list, path + ".curb_policy_ids", "is empty", expected: "at least one curb_policy_id") }
      for (i, item) in items.enumerated() {
        guard let text = nonEmptyString(item, "\(path).curb_policy_ids[\(i)]") else { continue }
        if knownPolicies.contains(PolicyID(text)) {
          policyIDs.append(PolicyID(text))
        } else {
          report(
            item, "\(path).curb_policy_ids[\(i)]", "no policy has id \"\(text)\"",
            expected: "a curb_policy_id from data.curb_policies")
        }
      }
    }
    let names = ["name", "street_name", "cross_street_start_name", "cross_street_end_name"].map { key in
      node[key].flatMap { string($0, "\(path).\(key)", expected: "a string") }
    }
    var side: String?
    if let sideNode = node["street_side"], let text = string(sideNode, path + ".street_side", expected: "a string") {
      if ["N", "NE", "E", "SE", "S", "SW", "W", "NW"].contains(text) {
        side = text
      } else {
        report(
          sideNode, path + ".street_side", "\"\(text)\" is not a side", expected: "one of N, NE, E, SE, S, SW, W, NW")
      }
    }
    let start = node["start_date"].flatMap { timestamp($0, path + ".start_date") }
    let end = node["end_date"].flatMap { timestamp($0, path + ".end_date") }
    if let start, let end, end <= start, let endNode = node["end_date"] {
      report(endNode, path + ".end_date", "is not after start_date", expected: "a later timestamp")
    }
    guard let id, let polygon else { return nil }
    return CurbZone(
      id: ZoneID(id), polygon: polygon, policyIDs: policyIDs, name: names[0], streetName: names[1],
      crossStreetStart: names[2], crossStreetEnd: names[3], streetSide: side, startDate: start, endDate: end)
  }

  mutating func geometry(_ node: JSONNode, _ path: String) -> ZonePolygon? {
    guard object(node, path) else { return nil }
    if let type = require(node, "type", in: path, as: "\"Polygon\""),
      let text = string(type, path + ".type", expected: "\"Polygon\""),
      text != "Polygon"
    {
      report(type, path + ".type", "geometry type \"\(text)\" is not supported", expected: "\"Polygon\"")
      return nil
    }
    guard let coordinates = require(node, "coordinates", in: path, as: "an array of linear rings"),
      let rings = array(coordinates, path + ".coordinates")
    else { return nil }
    if rings.isEmpty {
      report(coordinates, path + ".coordinates", "has no ring", expected: "an outer ring of at least 4 positions")
    }
    var result: [[ZonePolygon.Vertex]] = []
    for (r, ringNode) in rings.enumerated() {
      let ringPath = "\(path).coordinates[\(r)]"
      guard let positions = array(ringNode, ringPath) else { return nil }
      var ring: [ZonePolygon.Vertex] = []
      for (p, position) in positions.enumerated() {
        let positionPath = "\(ringPath)[\(p)]"
        guard let pair = position.array, pair.count == 2 || pair.count == 3, let lon = pair[0].number,
          let lat = pair[1].number
        else {
          report(position, positionPath, "is not a position", expected: "[longitude, latitude] in degrees")
          continue
        }
        guard (-180...180).contains(lon), (-90...90).contains(lat) else {
          report(
            position, positionPath, "[\(lon), \(lat)] is out of range",
            expected: "[longitude -180…180, latitude -90…90]; GeoJSON puts longitude first")
          continue
        }
        ring.append(.init(longitude: lon, latitude: lat))
      }
      guard ring.count == positions.count else { return nil }
      if ring.count < 4 {
        report(ringNode, ringPath, "has \(ring.count) position(s)", expected: "a closed ring of at least 4 positions")
        return nil
      }
      if ring.first != ring.last {
        report(ringNode, ringPath, "is not closed", expected: "the last position equal to the first")
        return nil
      }
      result.append(ring)
    }
    let polygon = ZonePolygon(rings: result)
    let box = polygon.bounds
    if !result.isEmpty, box.maxLon - box.minLon > 0.05 || box.maxLat - box.minLat > 0.05 {
      report(
        coordinates, path + ".coordinates", "spans more than 0.05° (about 5 km)",
        expected: "one block face, tens of metres long")
      return nil
    }
    return result.isEmpty ? nil : polygon
  }
}
