// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

extension ZonesFileLoader {
  // MARK: - Envelopes

  /// Keys of a CDS REST response envelope.
  static let envelopeKeys: Set<String> = [
    "version", "time_zone", "last_updated", "currency", "author", "license_url", "data",
  ]
  /// Keys of a `data` object: CDS's and the one-document extension's.
  static let dataKeys: Set<String> = ["zones", "policies", "curb_zones", "curb_policies", "designated_periods"]

  /// The zones document (with any policy documents) as a zone set, or `nil` after reporting problems.
  mutating func document(
    _ root: JSONNode, policyDocuments: [(file: String, root: JSONNode)], periods extraPeriods: [String: [CivilDate]],
    periodsVersion: String?
  ) -> ZoneSet? {
    guard let zonesEnvelope = envelope(root, what: "zones") else { return nil }
    let timeZone = zonesEnvelope.timeZone
    var periods = extraPeriods
    for part in zonesEnvelope.parts {
      for (name, dates) in designatedPeriods(part.node["designated_periods"], path: part.path + ".designated_periods") {
        if periods[name] != nil, let node = part.node["designated_periods"] {
          report(
            node, part.path + ".designated_periods.\(name)", "is also in the periods document",
            expected: "one list per name")
        }
        periods[name] = dates
      }
    }
    // Policies: those the zones document carries, then each policies document's.
    var policies: [CurbPolicy] = []
    var declared: Set<PolicyID> = []
    var seen: [PolicyID: (file: String, line: Int, policy: CurbPolicy)] = [:]
    var sources: [(file: String, minor: Int, parts: [(node: JSONNode, path: String)], required: Bool)] = [
      (file, minor, zonesEnvelope.parts, false)
    ]
    let zonesFile = file
    let zonesMinor = minor
    for document in policyDocuments {
      file = document.file
      if let policiesEnvelope = envelope(document.root, what: "policies") {
        if let zone = policiesEnvelope.timeZone, let timeZone, zone != timeZone, let node = document.root["time_zone"] {
          report(
            node, "time_zone", "\"\(zone.identifier)\" differs from the zones document's \"\(timeZone.identifier)\"",
            expected: "the same time zone in both responses")
        }
        sources.append((document.file, minor, policiesEnvelope.parts, true))
      }
    }
    for source in sources {
      file = source.file
      minor = source.minor
      var found = false
      for part in source.parts {
        guard let (key, list) = member(of: part, cds: "policies", extension: "curb_policies") else { continue }
        found = true
        guard let items = array(list, "\(part.path).\(key)") else { continue }
        for (i, item) in items.enumerated() {
          let path = "\(part.path).\(key)[\(i)]"
          if let id = item["curb_policy_id"]?.string { declared.insert(PolicyID(id)) }
          guard let policy = policy(item, path: path, periods: periods) else { continue }
          if let first = seen[policy.id] {
            // CDS: two policies with one id must be identical (a zones response may repeat
            // the policies response's).
            if first.policy != policy {
              report(
                item, path + ".curb_policy_id",
                "duplicate id \"\(policy.id)\" with other content (first at \(first.file):\(first.line))",
                expected: "a unique id, or an identical policy")
            }
          } else {
            seen[policy.id] = (file, item.line, policy)
            policies.append(policy)
          }
        }
      }
      if source.required, !found, let part = source.parts.first {
        report(part.node, part.path + ".policies", "is missing", expected: "the /curbs/policies response's policies")
      }
    }
    file = zonesFile
    minor = zonesMinor
    if declared.isEmpty, policyDocuments.isEmpty, let part = zonesEnvelope.parts.first,
      part.node["zones"] != nil, part.node["policies"] == nil
    {
      report(
        part.node, part.path + ".policies", "is missing, and no policies response was given",
        expected: "the /curbs/policies response as a second document (check-zones ZONES POLICIES, enforcement.policies)"
      )
    }
    var zones: [CurbZone] = []
    var zonesFound = false
    for part in zonesEnvelope.parts {
      guard let (key, list) = member(of: part, cds: "zones", extension: "curb_zones") else { continue }
      zonesFound = true
      guard let items = array(list, "\(part.path).\(key)") else { continue }
      var seenZones: [String: Int] = [:]
      for (i, item) in items.enumerated() {
        let path = "\(part.path).\(key)[\(i)]"
        guard let zone = zone(item, path: path, knownPolicies: declared) else { continue }
        if let first = seenZones[zone.id.rawValue] {
          report(
            item, path + ".curb_zone_id", "duplicate id \"\(zone.id)\" (first on line \(first))",
            expected: "a unique id")
        } else {
          seenZones[zone.id.rawValue] = item.line
          zones.append(zone)
        }
      }
    }
    if !zonesFound {
      let node = zonesEnvelope.parts.first?.node ?? root
      let path = zonesEnvelope.parts.first?.path ?? "data"
      let hint = policyDocuments.isEmpty && zonesEnvelope.parts.contains { $0.node["policies"] != nil }
      report(
        node, path + ".zones", "is missing",
        expected: hint
          ? "the /curbs/zones response here; this is a policies response, which goes second"
          : "the /curbs/zones response's zones (or curb_zones)")
    }
    guard let timeZone else { return nil }
    return ZoneSet(
      zones: zones, policies: policies, timeZone: timeZone, designatedPeriods: periods, periodsVersion: periodsVersion)
  }

  /// The list a `data` object holds under its CDS name or the one-document form's, with that name.
  mutating func member(
    of part: (node: JSONNode, path: String), cds: String, extension name: String
  ) -> (key: String, node: JSONNode)? {
    if part.node[cds] != nil, part.node[name] != nil {
      report(part.node, part.path, "has both \(cds) and \(name)", expected: "one list of \(cds)")
    }
    let key = part.node[cds] != nil ? cds : name
    return part.node[key].map { (key, $0) }
  }

  /// A response envelope: its time zone and its `data` objects (an object, or an array of them).
  mutating func envelope(
    _ root: JSONNode, what: String
  ) -> (timeZone: TimeZone?, parts: [(node: JSONNode, path: String)])? {
    guard root.members != nil else {
      report(root, "(document)", "the document is \(root.typeName)", expected: "an object with time_zone and data")
      return nil
    }
    checkKeys(root, "", known: Self.envelopeKeys)
    minor = 1
    var isCDS = false
    if let data = root["data"] {
      let parts = data.array ?? [data]
      isCDS = parts.contains { $0["zones"] != nil || $0["policies"] != nil }
    }
    if let node = root["version"] {
      if let text = string(node, "version", expected: "a CDS version: 1.0, 1.0.x, 1.1 or 1.1.x") {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if (2...3).contains(parts.count), parts[0] == "1", parts[1] == "0" || parts[1] == "1",
          parts.count == 2 || Int(parts[2]) != nil
        {
          minor = parts[1] == "0" ? 0 : 1
        } else {
          report(
            node, "version", "CDS version \"\(text)\" is not one Chalkline reads", expected: "1.0, 1.0.x, 1.1 or 1.1.x")
        }
      }
    } else if isCDS {
      report(root, "version", "is missing", expected: "the CDS version the response conforms to, such as \"1.1\"")
    }
    var timeZone: TimeZone?
    if let node = root["time_zone"] {
      if let name = string(node, "time_zone", expected: "an IANA time zone name such as America/Los_Angeles") {
        timeZone = IANATimeZone.named(name)
        if timeZone == nil {
          report(
            node, "time_zone", "unknown time zone \"\(name)\"", expected: "an IANA name such as America/Los_Angeles")
        }
      }
    } else if what == "zones" {
      if let defaultTimeZone {
        timeZone = defaultTimeZone
      } else {
        report(root, "time_zone", "is missing", expected: "an IANA time zone name such as America/Los_Angeles")
      }
    }
    guard let data = require(root, "data", in: "", as: "an object (or an array of objects) with \(what)") else {
      return nil
    }
    var parts: [(node: JSONNode, path: String)] = []
    if let items = data.array {
      for (i, item) in items.enumerated() where object(item, "data[\(i)]") { parts.append((item, "data[\(i)]")) }
      if items.isEmpty { report(data, "data", "is empty", expected: "an object with \(what)") }
    } else if object(data, "data") {
      parts.append((data, "data"))
    }
    for part in parts { checkKeys(part.node, part.path, known: Self.dataKeys) }
    return (timeZone, parts)
  }

  /// A designated-periods document: `{"version": "2026-11", "designated_periods": {"holidays":
  /// ["2026-01-01", …]}}`, with an optional `time_zone` and `author`. The version is the city's
  /// name for this edition of the list; it is reported with the rules it completes.
  mutating func designatedPeriodsDocument(_ root: JSONNode) -> ([String: [CivilDate]], String?) {
    guard object(root, "(document)") else { return ([:], nil) }
    checkKeys(root, "", known: ["version", "time_zone", "author", "last_updated", "designated_periods"])
    let version = require(root, "version", in: "", as: "the edition of this list, such as \"2026-11-01\"").flatMap {
      nonEmptyString($0, "version")
    }
    guard let node = require(root, "designated_periods", in: "", as: "an object of named date lists") else {
      return ([:], version)
    }
    return (designatedPeriods(node, path: "designated_periods"), version)
  }

  // MARK: - Keys

  /// Reports every member of `node` not in `known`: a key Chalkline does not implement might
  /// change who may park where and when, so it is refused, never dropped.
  mutating func checkKeys(_ node: JSONNode, _ path: String, known: Set<String>, refused: [String: String] = [:]) {
    guard let members = node.members else { return }
    for member in members where !known.contains(member.key) {
      let memberPath = path.isEmpty ? member.key : "\(path).\(member.key)"
      report(
        member.node, memberPath, refused[member.key] ?? "is not a key Chalkline reads, so the rules cannot be enforced",
        expected: "only keys of CDS 1.0/1.1 that Chalkline implements (see device-profiles/README.md)")
    }
  }

  /// Reports a CDS 1.1 key in a document that declares version 1.0.
  mutating func requireMinor1(_ node: JSONNode?, _ path: String) {
    guard minor == 0, let node else { return }
    report(
      node, path, "is a CDS 1.1 key, but the document declares version 1.0", expected: "version \"1.1\", or no such key"
    )
  }
}
