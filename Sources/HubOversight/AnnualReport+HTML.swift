// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

extension AnnualReport {
  /// `report.html`: one self-contained page (inline CSS and SVG, no scripts, no external assets)
  /// with the figures, a bar chart of violations by month and by tract, and a map-like plot of the
  /// tract outlines with the read grid and violations.
  public var html: String {
    let o = accuracy.overall
    let rate = o.acceptanceRate.map { String(format: "%.1f %%", $0 * 100) } ?? "n/a"
    var page = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8">
      <title>Chalkline data usage report \(year)</title>
      <style>
      body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}
      table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:2px 8px;text-align:right}
      th:first-child,td:first-child{text-align:left}svg{border:1px solid #ddd;background:#fff}
      </style></head><body>
      <h1>Parking compliance cameras: data usage report \(year)</h1>
      <p>Calendar year \(year) (\(HTML.escape(timeZone.identifier))). Violations are candidates an officer
      accepted (as read or with the plate corrected). No plate text or plate-derived value is in this report.</p>
      <table>
      <tr><th>Candidates flagged</th><td>\(candidates)</td></tr>
      <tr><th>Violations (accepted + corrected)</th><td>\(violations)</td></tr>
      <tr><th>Acceptance rate (of decided)</th><td>\(rate)</td></tr>
      <tr><th>Corrected plate reads</th><td>\(o.corrected)</td></tr>
      <tr><th>Rejected</th><td>\(o.rejected)</td></tr>
      <tr><th>Pending review</th><td>\(o.pending)</td></tr>
      <tr><th>Plates read</th><td>\(reads)</td></tr>
      <tr><th>Census tracts with violations</th><td>\(tractsWithViolations) of \(tracts.count - 1)</td></tr>
      <tr><th>Devices</th><td>\(devices.count)</td></tr>
      </table>

      """
    page += "<h2>Violations by month</h2>\n" + monthChart + "\n"
    page += "<h2>Violations by census tract</h2>\n" + tractChart + "\n"
    page += "<h2>Map: tracts, reads by 250 m cell, violations</h2>\n" + mapPlot + "\n"
    page += placementNote
    page += "<h2>Census tracts</h2>\n"
    page += HTML.table(
      ["GEOID", "Name", "Violations", "Candidates", "Rejected", "Reads"],
      tracts.map { [$0.geoid, $0.name, "\($0.violations)", "\($0.candidates)", "\($0.rejected)", "\($0.reads)"] })
    page += "<h2>Accuracy</h2>\n"
    let reasons = RejectionReason.allCases.map(\.rawValue)
    func row(_ name: String, _ c: OutcomeCounts) -> [String] {
      [name, "\(c.accepted)", "\(c.corrected)", "\(c.rejected)"] + reasons.map { "\(c.rejectedByReason[$0] ?? 0)" }
        + ["\(c.pending)", c.acceptanceRate.map { String(format: "%.1f %%", $0 * 100) } ?? "n/a"]
    }
    let header = ["", "Accepted", "Corrected", "Rejected"] + reasons.map { "Rejected: \($0)" } + ["Pending", "Rate"]
    page += HTML.table(
      header,
      [row("All", o)] + accuracy.byDevice.map { row("Device \($0.label)", $0.counts) }
        + accuracy.byZone.map { row("Zone \($0.label)", $0.counts) })
    page += "<h2>Device usage</h2>\n"
    page += HTML.table(
      ["Device", "Days active", "Reads", "Candidates", "Violations"],
      devices.map { [$0.name, "\($0.daysActive)", "\($0.reads)", "\($0.candidates)", "\($0.violations)"] })
    page += "<p>The same figures are in the CSV files beside this page.</p>\n</body></html>\n"
    return page
  }

  var placementNote: String {
    let fromDocument = zonesPlacedBy[.zonesDocument] ?? 0
    let fromCandidates = zonesPlacedBy[.candidates] ?? 0
    return """
      <p>Reads are counted per zone and hour by the vehicles. A zone is placed at the centre of its curb
      polygon in the zones document (\(fromDocument) zones) or, when that document does not hold it, at the mean
      of its candidates' last sightings (\(fromCandidates) zones). \(unplacedReads) reads could not be placed.</p>

      """
  }

  var monthChart: String {
    let labels = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return SVGChart.bars(Array(zip(labels, violationsByMonth)), id: "violations-by-month", width: 720, height: 260)
  }

  var tractChart: String {
    let rows = tracts.filter { $0.violations > 0 || $0.geoid != "outside" }.map { ($0.geoid, $0.violations) }
    return SVGChart.bars(rows, id: "violations-by-tract", width: 720, height: 300)
  }

  /// Tract outlines, cells shaded by reads, cells with a violation outlined in red, and a dot
  /// sized by violations at each cell that had one.
  var mapPlot: String {
    let rings = tractOutlines.tracts.flatMap { $0.polygons.flatMap { $0 } }.flatMap { $0 }
    var points = rings
    if points.isEmpty {
      points = cells.flatMap { [grid.bounds(of: $0.cell).southWest, grid.bounds(of: $0.cell).northEast] }
    }
    guard let minLat = points.map(\.latitude).min(), let maxLat = points.map(\.latitude).max(),
      let minLon = points.map(\.longitude).min(), let maxLon = points.map(\.longitude).max()
    else { return "<p>No places to plot.</p>" }
    let pad = 0.1
    let (south, north) = (minLat - (maxLat - minLat) * pad, maxLat + (maxLat - minLat) * pad)
    let (west, east) = (minLon - (maxLon - minLon) * pad, maxLon + (maxLon - minLon) * pad)
    let xScale = cos((south + north) / 2 * .pi / 180)
    let width = 720.0
    let height = max(200, min(900, width * (north - south) / max((east - west) * xScale, 1e-9)))
    func x(_ lon: Double) -> Double { (lon - west) / (east - west) * width }
    func y(_ lat: Double) -> Double { (north - lat) / (north - south) * height }
    func f(_ v: Double) -> String { String(format: "%.1f", v) }
    var svg = """
      <svg id="tract-map" xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
      viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="Map of census tracts, reads and violations">

      """
    let maxReads = max(1, cells.map(\.reads).max() ?? 1)
    var outside = 0
    for row in cells {
      let (sw, ne) = grid.bounds(of: row.cell)
      guard sw.latitude >= south, ne.latitude <= north, sw.longitude >= west, ne.longitude <= east else {
        outside += 1
        continue
      }
      let shade = 0.1 + 0.8 * Double(row.reads) / Double(maxReads)
      let stroke = row.hadViolation ? " stroke=\"#c00\" stroke-width=\"1.5\"" : ""
      svg += """
        <rect class="cell" x="\(f(x(sw.longitude)))" y="\(f(y(ne.latitude)))" \
        width="\(f(x(ne.longitude) - x(sw.longitude)))" height="\(f(y(sw.latitude) - y(ne.latitude)))" \
        fill="#1f6fb4" fill-opacity="\(String(format: "%.2f", shade))"\(stroke)><title>\(row.cell.id): \
        \(row.reads) reads, \(row.violations) violations</title></rect>

        """
    }
    for tract in tractOutlines.tracts {
      let d = tract.polygons.flatMap { $0 }.map { ring in
        "M" + ring.map { "\(f(x($0.longitude))),\(f(y($0.latitude)))" }.joined(separator: "L") + "Z"
      }.joined(separator: " ")
      svg += """
        <path class="tract" d="\(d)" fill="none" stroke="#333" stroke-width="1" fill-rule="evenodd">\
        <title>\(HTML.escape(tract.name)) (\(tract.geoid))</title></path>

        """
      let label = tract.labelPoint
      let count = tracts.first { $0.geoid == tract.geoid }?.violations ?? 0
      svg += """
        <text x="\(f(x(label.longitude)))" y="\(f(y(label.latitude)))" font-size="11" text-anchor="middle">\
        \(HTML.escape(String(tract.geoid.suffix(6)))): \(count)</text>

        """
    }
    let maxViolations = max(1, cells.map(\.violations).max() ?? 1)
    for row in cells where row.hadViolation {
      let (sw, ne) = grid.bounds(of: row.cell)
      guard sw.latitude >= south, ne.latitude <= north, sw.longitude >= west, ne.longitude <= east else { continue }
      let r = 2 + 5 * (Double(row.violations) / Double(maxViolations)).squareRoot()
      svg += """
        <circle class="violation" cx="\(f(x((sw.longitude + ne.longitude) / 2)))" \
        cy="\(f(y((sw.latitude + ne.latitude) / 2)))" r="\(f(r))" fill="#c00" fill-opacity="0.7"/>

        """
    }
    svg += "</svg>\n"
    svg += """
      <p>Blue cells: plates read (darker, more); red outline and dot: the cell had violations (dot area by count);
      labels: tract number and violations. \(outside) cells lie beyond the tracts shown.</p>

      """
    return svg
  }
}

/// Inline SVG bar charts.
enum SVGChart {
  static func bars(_ rows: [(String, Int)], id: String, width: Int, height: Int) -> String {
    let top = 20.0
    let bottom = 60.0
    let left = 50.0
    let plotHeight = Double(height) - top - bottom
    let maxValue = max(1, rows.map(\.1).max() ?? 1)
    let step = (Double(width) - left - 10) / Double(max(rows.count, 1))
    var svg = """
      <svg id="\(id)" class="chart" xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
      viewBox="0 0 \(width) \(height)" role="img" aria-label="bar chart">
      <line x1="\(left)" y1="\(top + plotHeight)" x2="\(width - 10)" y2="\(top + plotHeight)" stroke="#333"/>
      <text x="\(left - 6)" y="\(top + 4)" font-size="11" text-anchor="end">\(maxValue)</text>
      <text x="\(left - 6)" y="\(top + plotHeight)" font-size="11" text-anchor="end">0</text>

      """
    for (i, (label, value)) in rows.enumerated() {
      let h = plotHeight * Double(value) / Double(maxValue)
      let x = left + Double(i) * step + step * 0.15
      let cx = x + step * 0.35
      svg += String(
        format: "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#c0392b\">",
        x, top + plotHeight - h, step * 0.7, h)
      svg += "<title>\(HTML.escape(label)): \(value)</title></rect>\n"
      svg += String(
        format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">", cx, top + plotHeight - h - 3)
      svg += "\(value)</text>\n"
      svg += String(
        format: "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"end\" transform=\"rotate(-40 %.1f %.1f)\">",
        cx, top + plotHeight + 14, cx, top + plotHeight + 14)
      svg += "\(HTML.escape(label))</text>\n"
    }
    return svg + "</svg>\n"
  }
}

/// HTML text escaping and tables.
enum HTML {
  static func escape(_ text: String) -> String {
    var result = ""
    for c in text {
      switch c {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      default: result.append(c)
      }
    }
    return result
  }

  static func table(_ header: [String], _ rows: [[String]]) -> String {
    var text = "<table>\n<tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
    for row in rows { text += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n" }
    return text + "</table>\n"
  }
}
