// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Hummingbird
import Wire

/// The data each review template renders, built from the review logic's values.
enum ReviewPages {
  static func chrome(_ session: ReviewSession, purposes: [String]) -> [String: Any] {
    [
      "reviewer": session.reviewer, "purpose": session.purpose, "csrf": session.csrf,
      "purposes": purposes.map { ["name": $0, "selected": $0 == session.purpose] as [String: Any] },
    ]
  }

  static func login(_ purposes: [String], message: String?) -> [String: Any] {
    var data: [String: Any] = ["title": "Log in", "purposes": purposes.map { ["name": $0] }]
    if let message { data["message"] = message }
    return data
  }

  static func error(_ status: HTTPResponse.Status, _ message: String, chrome: [String: Any]) -> [String: Any] {
    chrome.merging(["title": "\(status.code) \(status.reasonPhrase)", "message": message]) { $1 }
  }

  /// `?purpose=…` to carry a per-view purpose into the links and pictures of a page.
  static func purposeQuery(_ purpose: String) -> String {
    var components = URLComponents()
    components.queryItems = [URLQueryItem(name: "purpose", value: purpose)]
    return components.percentEncodedQuery.map { "?" + $0 } ?? ""
  }

  static func queue(_ page: ReviewService.QueuePage, chrome: [String: Any], purpose: String) -> [String: Any] {
    let query = purpose == (chrome["purpose"] as? String) ? "" : purposeQuery(purpose)
    let rows: [[String: Any]] = page.rows.map { row in
      [
        "id": row.id.uuidString, "short": String(row.id.uuidString.prefix(8)), "query": query,
        "received": UTCTime.format(row.receivedAt), "zone": row.zone, "rule": row.rule,
        "elapsed": row.elapsedS.map(duration) ?? "—", "confidence": row.readConfidence.map(percent) ?? "—",
        "device": String(row.device.prefix(12)),
      ]
    }
    var data = chrome.merging(["title": "Queue", "rows": rows, "total": page.total, "page": page.page]) { $1 }
    data["pageCount"] = page.pageCount
    if page.page > 1 { data["previous"] = page.page - 1 }
    if page.page < page.pageCount { data["next"] = page.page + 1 }
    return data
  }

  static func candidate(_ opened: ReviewService.Opened, chrome: [String: Any], purpose: String) -> [String: Any] {
    let c = opened.candidate
    let m = c.manifest
    let query = purpose == (chrome["purpose"] as? String) ? "" : purposeQuery(purpose)
    let sightings: [[String: Any]] = m.sightings.enumerated().map { index, s in
      let base = "/candidates/\(c.id.uuidString)/sightings/\(index)"
      return [
        "number": index + 1, "time": s.time, "latitude": String(format: "%.6f", s.latitude),
        "longitude": String(format: "%.6f", s.longitude), "uncertainty": String(format: "%.1f", s.uncertaintyM),
        "reading": index < opened.captures.count ? opened.captures[index].plateAlternatives.first ?? "—" : "—",
        "plateURL": base + "/plate" + query, "vehicleURL": base + "/vehicle" + query,
        // Retention deletes the evidence of closed and rejected candidates; the row stays.
        "pictures": index < opened.captures.count,
      ]
    }
    var data: [String: Any] = [
      "title": "Candidate", "id": c.id.uuidString, "state": c.reviewState, "plate": opened.plateText,
      "alternatives": opened.alternatives, "confidence": m.readConfidence.map(percent) ?? "not sent",
      "rule": c.rule, "zone": c.zone, "elapsed": m.elapsedSeconds.map(duration) ?? "not sent",
      "distance": m.distanceMeters.map { String(format: "%.1f m", $0) } ?? "not sent",
      "device": c.device, "sightings": sightings, "pending": c.reviewState == "pending",
      "street": street(opened.zone),
      "policies": opened.zone?.policies ?? [],
      "plot": SightingPlot.svg(
        m.sightings.map { ($0.latitude, $0.longitude, $0.uncertaintyM) }, outline: opened.zone?.outline ?? []),
      "vehicle": opened.deviceName ?? "not registered", "outline": !(opened.zone?.outline.isEmpty ?? true),
    ]
    if let name = opened.zone?.name { data["zoneName"] = name }
    if let corrected = opened.correctedText { data["corrected"] = corrected }
    if let d = opened.decision {
      var decision: [String: Any] = [
        "outcome": d.outcome.rawValue, "reviewer": d.reviewer, "at": UTCTime.format(d.decidedAt),
      ]
      if let reason = d.reason { decision["reason"] = reason.rawValue }
      if !d.note.isEmpty { decision["note"] = d.note }
      data["decision"] = decision
    }
    return chrome.merging(data) { $1 }
  }

  static func street(_ zone: ReviewZone?) -> String {
    guard let zone, let street = zone.street else {
      return "not known: the zones document does not name a street for this zone"
    }
    return zone.crossStreets.isEmpty ? street : "\(street), between \(zone.crossStreets.joined(separator: " and "))"
  }

  /// `2 h 10 min`; a value no enforcement could state (as stored data might hold) reads as such
  /// instead of trapping.
  static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, abs(seconds) < 1e9 else { return "out of range" }
    let total = Int(seconds.rounded())
    return String(format: "%d h %02d min", total / 3600, total % 3600 / 60)
  }

  static func percent(_ value: Double) -> String {
    guard value.isFinite, abs(value) < 1e6 else { return "out of range" }
    return String(format: "%.0f %%", value * 100)
  }
}
