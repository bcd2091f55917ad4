// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// NMEA 0183 sentences for synthetic receivers.
enum NMEASentences {
  /// RMC, GGA and GSA for one epoch of `fix`, with checksums.
  static func epoch(_ fix: Fix) -> String {
    let seconds = fix.time.timeIntervalSince1970
    let day = Int((seconds / 86_400).rounded(.down))
    let secondOfDay = seconds - Double(day) * 86_400
    let date = CivilDate(dayNumber: day)
    let (y, m, d) = (date.year, date.month, date.day)
    let h = Int(secondOfDay / 3_600)
    let min = Int(secondOfDay / 60) % 60
    let s = secondOfDay - Double(h * 3_600 + min * 60)
    let hms = String(format: "%02d%02d%05.2f", h, min, s)
    let dmy = String(format: "%02d%02d%02d", d, m, y % 100)
    let p = fix.position ?? GeoPosition(latitude: 0, longitude: 0)
    let (la, ns) = degreesMinutes(p.latitude, isLatitude: true)
    let (lo, ew) = degreesMinutes(p.longitude, isLatitude: false)
    return sentence("GPRMC,\(hms),A,\(la),\(ns),\(lo),\(ew),9.7,45.0,\(dmy),,,A")
      + sentence("GPGGA,\(hms),\(la),\(ns),\(lo),\(ew),1,08,0.9,25.0,M,-32.1,M,,")
      + sentence("GPGSA,A,3,04,05,09,12,17,20,24,25,,,,,1.8,0.9,1.5")
  }

  static func sentence(_ body: String) -> String {
    "$\(body)*\(String(format: "%02X", body.utf8.reduce(UInt8(0)) { $0 ^ $1 }))\r\n"
  }

  private static func degreesMinutes(_ value: Double, isLatitude: Bool) -> (String, String) {
    let a = abs(value)
    let degrees = Int(a)
    let text = String(format: isLatitude ? "%02d%07.4f" : "%03d%07.4f", degrees, (a - Double(degrees)) * 60)
    return (text, isLatitude ? (value >= 0 ? "N" : "S") : (value >= 0 ? "E" : "W"))
  }
}
