// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// The checks that keep a rule set from becoming a watch list or a dragnet, over a loaded
/// ``ZoneSet`` (so they hold whatever the loader reads), run by `check-zones` and whenever the
/// agent loads zones (a refused set leaves the zones in force as they are).
///
/// - A user class may only ever be treated more leniently than everyone else: "no parking for
///   class W, parking for everyone else", with W's list pushed as permits, singles out listed
///   cars as surely as a hotlist.
/// - A curb zone must look like a curb: at most ``maximumZoneLength`` metres long and
///   ``maximumZoneArea`` square metres.
/// - A time limit under ``minimumMaxStay`` is a stop, not a stay: GPS and reading cannot
///   measure it fairly.
public enum ZoneRuleCheck {
  /// The longest curb zone accepted, metres (a long block face).
  public static let maximumZoneLength = 400.0
  /// The largest curb zone accepted, square metres (a 400 m face, 10 m deep).
  public static let maximumZoneArea = 4_000.0
  /// The shortest `max_stay` enforced, seconds.
  public static let minimumMaxStay: TimeInterval = 600
  /// The shortest `enforcement.permit_min_observation` a profile may set, seconds (the profile
  /// schema holds the same floor).
  public static let minimumPermitObservation: TimeInterval = 300

  /// CDS user classes that describe what a vehicle is or does (the specification's examples):
  /// the agent cannot see them on a plate, a rule naming one never applies to a car it reads, and
  /// a permit list never names one — so a stricter rule for such a class (the official example's
  /// 15 min for rideshare and electric vehicles) is no watch list and is accepted.
  public static let vehicleTypeClasses: Set<UserClass> = Set(
    [
      "bicycle", "bikeshare", "bus", "cargo_bicycle", "carshare", "commercial", "construction", "delivery",
      "electric", "emergency", "ems", "fire", "freight", "government", "handicap", "micromobility", "moped",
      "motorcycle", "police", "rideshare", "scooter", "scootershare", "taxi", "transit", "truck", "vehicle",
    ].map(UserClass.init))

  /// Every problem of a zone set, located in the file it was read from.
  public static func problems(in zones: ZoneSet, source: Data, file: String) -> [FileProblem] {
    problems(in: zones, sources: [(source, file)])
  }

  /// Every problem of a zone set read from several documents (a zones and a policies response),
  /// each located in the document that holds the zone or policy.
  public static func problems(in zones: ZoneSet, sources: [(data: Data, file: String)]) -> [FileProblem] {
    let documents = sources.map { (locations: JSONLocations($0.data), file: $0.file) }
    let fallback = sources.first?.file ?? "zones"
    var problems: [FileProblem] = []
    for zone in zones.zones {
      let document = documents.first { $0.locations.zones[zone.id.rawValue] != nil }
      let file = document?.file ?? fallback
      let (line, path) = document?.locations.zones[zone.id.rawValue] ?? (1, "zone \(zone.id)")
      let (length, area) = measure(zone.polygon)
      if length > maximumZoneLength {
        problems.append(
          FileProblem(
            file: file, line: line, keyPath: "\(path).geometry",
            problem: "curb zone \(zone.id) is about \(Int((length / 10).rounded()) * 10) m long",
            expected: "a curb zone at most \(Int(maximumZoneLength)) m long"))
      }
      if area > maximumZoneArea {
        problems.append(
          FileProblem(
            file: file, line: line, keyPath: "\(path).geometry",
            problem: "curb zone \(zone.id) covers about \(Int((area / 10).rounded()) * 10) m²",
            expected: "a curb zone of at most \(Int(maximumZoneArea)) m²"))
      }
    }
    for policy in zones.policies.values.sorted(by: { $0.id.rawValue < $1.id.rawValue }) {
      let document = documents.first { $0.locations.policies[policy.id.rawValue] != nil }
      let file = document?.file ?? fallback
      let location = document?.locations.policies[policy.id.rawValue]
      func rulePlace(_ index: Int) -> (Int, String) {
        guard let location else { return (1, "policy \(policy.id).rules[\(index)]") }
        let line = index < location.ruleLines.count ? location.ruleLines[index] : location.line
        return (line, "\(location.path).rules[\(index)]")
      }
      let general = policy.generalRuleIndex
      let everyone = policy.leniency(ofRule: general)
      for index in policy.rules.indices {
        let rule = policy.rules[index]
        if let maxStay = rule.maxStay, rule.activity == .parking, maxStay < minimumMaxStay {
          let (line, path) = rulePlace(index)
          problems.append(
            FileProblem(
              file: file, line: line, keyPath: "\(path).max_stay",
              problem:
                "policy \(policy.id): a \(minutes(maxStay)) limit is under the floor of \(minutes(minimumMaxStay))",
              expected: "max_stay of at least \(minutes(minimumMaxStay)): a shorter limit is a stop, not a stay"))
        }
        guard !rule.userClasses.isEmpty, index != general,
          rule.userClasses.allSatisfy({ !vehicleTypeClasses.contains($0) }),
          let own = policy.leniency(ofRule: index), let everyone, own < everyone
        else { continue }
        let (line, path) = rulePlace(index)
        let classes = rule.userClasses.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
        problems.append(
          FileProblem(
            file: file, line: line, keyPath: path,
            problem:
              "policy \(policy.id): user class \(classes) is treated more strictly than everyone else "
              + "(\(words(own)) where everyone else gets \(words(everyone))): that is a watch list",
            expected:
              "a rule for a user class only to relax the rule for everyone (a permit exempts, never singles out)"
          ))
      }
    }
    return problems.sorted { ($0.line, $0.keyPath) < ($1.line, $1.keyPath) }
  }

  /// Refuses a zone set with any problem.
  public static func check(_ zones: ZoneSet, source: Data, file: String) throws(FileRefusal) {
    try check(zones, sources: [(source, file)])
  }

  /// Refuses a zone set read from several documents with any problem.
  public static func check(_ zones: ZoneSet, sources: [(data: Data, file: String)]) throws(FileRefusal) {
    let found = problems(in: zones, sources: sources)
    let file = sources.map(\.file).joined(separator: " + ")
    guard found.isEmpty else {
      throw FileRefusal(
        .invalid, file: file,
        message: "\(file): refused: \(found.count) rule(s) Chalkline must not enforce; the zones in force stay",
        problems: found)
    }
  }

  static func words(_ leniency: RuleLeniency) -> String {
    switch leniency {
    case .prohibited: "no parking"
    case .timed(let maxStay, let noReturn): "\(minutes(maxStay)) parking" + (noReturn ? " with no return" : "")
    case .unrestricted: "parking without limit"
    }
  }

  static func minutes(_ seconds: TimeInterval) -> String {
    seconds >= 3_600 && seconds.truncatingRemainder(dividingBy: 3_600) == 0
      ? "\(Int(seconds / 3_600)) h" : "\(Int((seconds / 60).rounded())) min"
  }

  /// The longest distance between two vertices and the area, in metres (local flat projection).
  static func measure(_ polygon: ZonePolygon) -> (length: Double, area: Double) {
    guard let outer = polygon.rings.first, let origin = outer.first else { return (0, 0) }
    let metresPerDegree = 111_320.0
    let scale = cos(origin.latitude * .pi / 180)
    let points = outer.map {
      (
        x: ($0.longitude - origin.longitude) * metresPerDegree * scale,
        y: ($0.latitude - origin.latitude) * metresPerDegree
      )
    }
    var length = 0.0
    for a in points {
      for b in points { length = max(length, ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()) }
    }
    var twice = 0.0
    for i in points.indices {
      let j = (i + 1) % points.count
      twice += points[i].x * points[j].y - points[j].x * points[i].y
    }
    return (length, abs(twice) / 2)
  }
}

/// Where policies, their rules and zones start in a zones file, found by their ids wherever the
/// file nests them (so the check does not depend on the loader's layout).
struct JSONLocations {
  var policies: [String: (line: Int, path: String, ruleLines: [Int])] = [:]
  var zones: [String: (line: Int, path: String)] = [:]

  init(_ data: Data) {
    guard let root = try? JSONTextParser.parse(data) else { return }
    visit(root, path: "")
  }

  private mutating func visit(_ node: JSONNode, path: String) {
    switch node.value {
    case .object(let members):
      if let id = node["curb_policy_id"]?.string, policies[id] == nil {
        policies[id] = (node.line, path, node["rules"]?.array?.map(\.line) ?? [])
      }
      if let id = node["curb_zone_id"]?.string, zones[id] == nil, node["geometry"] != nil {
        zones[id] = (node.line, path)
      }
      for member in members { visit(member.node, path: path.isEmpty ? member.key : "\(path).\(member.key)") }
    case .array(let items):
      for (index, item) in items.enumerated() { visit(item, path: "\(path)[\(index)]") }
    default:
      break
    }
  }
}
