// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// Loads curb rules as a city publishes them in the Curb Data Specification (CDS 1.0.x, 1.1.x).
///
/// Three shapes are read, each an envelope `{"version": "1.1", "time_zone": "America/Los_Angeles",
/// "data": …}` (`data` an object, or an array of objects as in the CDS 1.0 schema and examples):
/// - the Curbs API's `/curbs/zones` response, `data.zones`, with the `/curbs/policies` response,
///   `data.policies`, as a second document (or inline in the zones response, as the CDS 1.0
///   example and the hub's signed distribution carry them);
/// - Chalkline's one-document extension, `data.curb_zones` + `data.curb_policies` +
///   `data.designated_periods` (field files and tests use it; `version` optional there).
///
/// Holidays and other designated periods are not part of CDS: a city supplies them as a separate,
/// versioned periods document (see ``ZonesFileLoader/designatedPeriodsDocument(_:)``).
///
/// Every key that changes who may park where and when is implemented; a key Chalkline does not
/// know is refused, naming it, rather than dropped. Every problem is collected, then the rules
/// are refused as a whole.
public struct ZonesFileLoader {
  var file: String
  var problems: [FileProblem] = []
  /// The CDS minor version of the document being read (0 or 1); 1.1 keys are refused in 1.0.
  var minor = 1
  /// The time zone of a zones document that names none (a device profile's
  /// `enforcement.time_zone`); without one such a document is refused.
  var defaultTimeZone: TimeZone?

  init(file: String) { self.file = file }

  /// One input document: its bytes and the name messages give it.
  public struct Input: Sendable {
    /// The bytes.
    public var data: Data
    /// The file as the user named it (or `hub zones version N`).
    public var file: String

    /// Creates an input.
    public init(data: Data, file: String) {
      self.data = data
      self.file = file
    }

    /// Reads a file.
    public static func read(_ url: URL, what: String) throws(FileRefusal) -> Input {
      do {
        return Input(data: try Data(contentsOf: url), file: url.path)
      } catch {
        throw FileRefusal(
          .unreadable, file: url.path,
          message: "\(url.path): cannot read the \(what); check that it exists and is readable",
          cause: error)
      }
    }
  }

  /// Loads and validates a zones file from disk (with its policies inline or in the extension form).
  public static func load(contentsOf url: URL) throws(FileRefusal) -> ZoneSet {
    try parse(Input.read(url, what: "zones file"))
  }

  /// Loads a zones response, and optionally the policies response and the designated-periods
  /// document that go with it.
  public static func load(zones: URL, policies: URL?, periods: URL?) throws(FileRefusal) -> ZoneSet {
    let zonesInput = try Input.read(zones, what: "zones file")
    let policiesInput = try policies.map { (url) throws(FileRefusal) in try Input.read(url, what: "policies file") }
    let periodsInput = try periods.map { (url) throws(FileRefusal) in try Input.read(url, what: "periods file") }
    return try parse(zonesInput, policies: policiesInput, periods: periodsInput)
  }

  /// Validates zones-file bytes; `file` names it in messages.
  public static func parse(_ data: Data, file: String) throws(FileRefusal) -> ZoneSet {
    try parse(Input(data: data, file: file))
  }

  /// Validates a zones document, with the policies and periods documents that go with it;
  /// `defaultTimeZone` is the signs' time zone when the zones document names none.
  public static func parse(
    _ zones: Input, policies: Input? = nil, periods: Input? = nil, defaultTimeZone: TimeZone? = nil
  ) throws(FileRefusal) -> ZoneSet {
    let zonesRoot = try syntax(zones)
    let policiesRoot = try policies.map { (input) throws(FileRefusal) in try syntax(input) }
    let periodsRoot = try periods.map { (input) throws(FileRefusal) in try syntax(input) }
    var loader = ZonesFileLoader(file: zones.file)
    loader.defaultTimeZone = defaultTimeZone
    var periodsVersion: String?
    var extraPeriods: [String: [CivilDate]] = [:]
    if let periods, let periodsRoot {
      loader.file = periods.file
      (extraPeriods, periodsVersion) = loader.designatedPeriodsDocument(periodsRoot)
    }
    var policyParts: [(file: String, root: JSONNode)] = []
    if let policies, let policiesRoot { policyParts.append((policies.file, policiesRoot)) }
    loader.file = zones.file
    let set = loader.document(
      zonesRoot, policyDocuments: policyParts, periods: extraPeriods, periodsVersion: periodsVersion)
    if let set, loader.problems.isEmpty { return set }
    let names = [zones.file, policies?.file, periods?.file].compactMap { $0 }.joined(separator: ", ")
    throw FileRefusal(
      .invalid, file: names,
      message: "\(names): \(loader.problems.count) problem(s); none of the rules were loaded",
      problems: loader.problems.sorted { ($0.file, $0.line, $0.keyPath) < ($1.file, $1.line, $1.keyPath) })
  }

  static func syntax(_ input: Input) throws(FileRefusal) -> JSONNode {
    guard String(data: input.data, encoding: .utf8) != nil else {
      throw FileRefusal(.unreadable, file: input.file, message: "\(input.file): the file is not UTF-8 text")
    }
    do {
      return try JSONTextParser.parse(input.data)
    } catch {
      let problem = FileProblem(
        file: input.file, line: error.line, keyPath: "(document)", problem: error.message, expected: "JSON text")
      throw FileRefusal(
        .invalid, file: input.file, message: "\(input.file): the file is not valid JSON", problems: [problem])
    }
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

  /// Keys of a CDS curb zone. Those Chalkline does not use (linear references, spaces, areas,
  /// lengths, publication dates) say nothing about who may park where the polygon lies, or when.
  static let zoneKeys: Set<String> = [
    "curb_zone_id", "geometry", "curb_policy_ids", "prev_policies", "published_date", "last_updated_date",
    "prev_curb_zone_ids", "start_date", "end_date", "location_references", "name", "user_zone_id", "street_name",
    "cross_street_start_name", "cross_street_end_name", "length", "available_space_lengths", "availability_time",
    "width", "parking_angle", "num_spaces", "street_side", "median", "entire_roadway", "curb_area_ids",
    "curb_space_ids",
  ]

  mutating func zone(_ node: JSONNode, path: String, knownPolicies: Set<PolicyID>) -> CurbZone? {
    guard object(node, path) else { return nil }
    checkKeys(
      node, path, known: Self.zoneKeys,
      refused: [
        "wzdx_references":
          "points to a work-zone feed Chalkline cannot read, which may close this curb; the rules cannot be enforced"
      ])
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
            expected: "a curb_policy_id of the policies (data.policies or data.curb_policies)")
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
