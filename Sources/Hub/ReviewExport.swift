// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Wire

/// One accepted (or corrected) candidate as the city's ticketing system receives it.
public struct ReviewExportRecord: Codable, Sendable, Equatable {
  /// The candidate id.
  public var candidateId: String
  /// The plate text: the officer's correction when there is one, else the reader's.
  public var plateText: String
  /// The plate's state, when known (the reader does not tell it yet: empty).
  public var plateState: String
  /// `accepted` or `corrected`.
  public var outcome: String
  /// The rule broken.
  public var rule: String
  /// The zone id.
  public var zone: String
  /// The street, when the zones document names it.
  public var street: String
  /// First sighting: time (ISO 8601 UTC), latitude, longitude.
  public var firstTime: String
  /// First sighting latitude.
  public var firstLatitude: Double
  /// First sighting longitude.
  public var firstLongitude: Double
  /// Last sighting: time (ISO 8601 UTC).
  public var lastTime: String
  /// Last sighting latitude.
  public var lastLatitude: Double
  /// Last sighting longitude.
  public var lastLongitude: Double
  /// Enforced time elapsed, seconds.
  public var elapsedS: Double?
  /// The reviewer who decided.
  public var reviewer: String
  /// When the reviewer decided (ISO 8601 UTC).
  public var decidedAt: String

  static let columns = [
    "candidate_id", "plate_text", "plate_state", "outcome", "rule", "zone", "street", "first_time",
    "first_latitude", "first_longitude", "last_time", "last_latitude", "last_longitude", "elapsed_s", "reviewer",
    "decided_at",
  ]

  var fields: [String] {
    [
      candidateId, plateText, plateState, outcome, rule, zone, street, firstTime, "\(firstLatitude)",
      "\(firstLongitude)", lastTime, "\(lastLatitude)", "\(lastLongitude)", elapsedS.map { "\($0)" } ?? "", reviewer,
      decidedAt,
    ]
  }
}

/// The formats of the ticketing export.
public enum ReviewExportFormat: String, Sendable, CaseIterable {
  /// RFC 4180 CSV with a header line.
  case csv
  /// A JSON array of objects with snake_case keys.
  case json

  /// The media type.
  public var contentType: String { self == .csv ? "text/csv; charset=utf-8" : "application/json" }
}

extension ReviewService {
  /// Exports accepted and corrected candidates decided at or after `since` for the city's
  /// ticketing system, audits it (ids only) and marks them exported.
  public func export(
    actor: String, purpose: String?, format: ReviewExportFormat, since: Date?
  ) async throws
    -> (data: Data, count: Int)
  {
    let what = "format=\(format.rawValue) since=\(since.map(UTCTime.format) ?? "all")"
    let purpose = try await requirePurpose(purpose, actor: actor, action: "review.export", detail: what)
    let decided = try await hub.storage.decidedCandidates(outcomes: [.accepted, .corrected], since: since)
    let zones = try await hub.storage.latestDocument(.zones)
    var records: [ReviewExportRecord] = []
    for item in decided {
      let c = item.candidate
      var reading = ""
      if !c.evidence.isEmpty {
        reading = try await openEvidence(c, sighting: c.evidence.count - 1).plateAlternatives.first ?? ""
      }
      let corrected = try item.decision.sealedCorrectedText.map {
        try hub.keys.openCorrected($0, candidate: c.id)
      }
      guard let first = c.manifest.sightings.first, let last = c.manifest.sightings.last else { continue }
      records.append(
        ReviewExportRecord(
          candidateId: c.id.uuidString, plateText: corrected ?? reading, plateState: "",
          outcome: item.decision.outcome.rawValue, rule: c.rule, zone: c.zone,
          street: zones.flatMap { ReviewZone(zone: c.zone, document: $0.body)?.street } ?? "", firstTime: first.time,
          firstLatitude: first.latitude, firstLongitude: first.longitude, lastTime: last.time,
          lastLatitude: last.latitude, lastLongitude: last.longitude, elapsedS: c.manifest.elapsedSeconds,
          reviewer: item.decision.reviewer, decidedAt: UTCTime.format(item.decision.decidedAt)))
    }
    try await audit(
      actor, purpose, "review.export",
      "\(what) count=\(records.count) ids=\(records.map(\.candidateId).joined(separator: ","))",
      "allowed")
    try await hub.storage.markExported(decided.map(\.candidate.id), at: Date())
    let data: Data
    switch format {
    case .json:
      let encoder = JSONEncoder()
      encoder.keyEncodingStrategy = .convertToSnakeCase
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
      data = try encoder.encode(records)
    case .csv:
      let lines = [ReviewExportRecord.columns] + records.map(\.fields)
      data = Data(lines.map { $0.map(Self.csvField).joined(separator: ",") + "\r\n" }.joined().utf8)
    }
    return (data, records.count)
  }

  /// Writes the plate crops of corrected candidates with the officer's text for retraining, in the
  /// layout of the plates-us-crops set: `CANDIDATE-ID.jpg` files and `groundtruth.csv`
  /// (`image,state,plate`; state empty, as it is not known). Audited; returns how many.
  public func exportCorrections(actor: String, purpose: String?, to directory: URL) async throws -> Int {
    let purpose = try await requirePurpose(
      purpose, actor: actor, action: "review.export-corrections", detail: "out=\(directory.path)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    var truth = "image,state,plate\n"
    var ids: [String] = []
    for item in try await hub.storage.decidedCandidates(outcomes: [.corrected], since: nil) {
      let c = item.candidate
      guard let sealed = item.decision.sealedCorrectedText, !c.evidence.isEmpty else { continue }
      let text = try hub.keys.openCorrected(sealed, candidate: c.id)
      let name = "\(c.id.uuidString.lowercased()).jpg"
      try await openEvidence(c, sighting: c.evidence.count - 1).plateJPEG.write(
        to: directory.appendingPathComponent(name))
      truth += "\(name),,\(text)\n"
      ids.append(c.id.uuidString)
    }
    try Data(truth.utf8).write(to: directory.appendingPathComponent("groundtruth.csv"))
    try await audit(
      actor, purpose, "review.export-corrections", "count=\(ids.count) ids=\(ids.joined(separator: ","))", "allowed")
    return ids.count
  }

  /// One CSV cell: quoted when needed, and a cell a spreadsheet would run as a formula (starting
  /// with `=`, `+`, `-`, `@`, a tab or a carriage return) prefixed with `'` so it stays text. A
  /// plain number (a negative longitude) is left as it is: it runs as nothing but itself.
  static func csvField(_ raw: String) -> String {
    let formula = raw.first.map { "=+-@\t\r".contains($0) } == true && Double(raw) == nil
    let value = formula ? "'" + raw : raw
    guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
    return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }
}
