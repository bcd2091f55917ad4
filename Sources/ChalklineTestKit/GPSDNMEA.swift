// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Synthetic NMEA 0183 for tests that need a long, known drive: RMC + GGA + GSA per epoch.
public enum GPSDNMEA {
  /// One epoch's sentences for a drive starting at `start`, heading north-east at about 8 m/s.
  ///
  /// Epoch `i` is at `start + i × step` seconds; each epoch's time differs, so gpsd reports one fix per epoch.
  public static func epoch(
    _ i: Int, start: Date = Date(timeIntervalSince1970: 1_772_442_000), step: TimeInterval = 0.1,
    latitude: Double = 37.3352, longitude: Double = -121.8811
  ) -> String {
    let t = start.addingTimeInterval(Double(i) * step)
    let lat = latitude + Double(i) * 0.000_005
    let lon = longitude + Double(i) * 0.000_008
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: t)
    let centis = Int((Double(c.nanosecond ?? 0) / 1e7).rounded()) % 100
    let hms = String(format: "%02d%02d%02d.%02d", c.hour!, c.minute!, c.second!, centis)
    let dmy = String(format: "%02d%02d%02d", c.day!, c.month!, c.year! % 100)
    let (la, ns) = degreesMinutes(lat, isLatitude: true)
    let (lo, ew) = degreesMinutes(lon, isLatitude: false)
    return sentence("GPRMC,\(hms),A,\(la),\(ns),\(lo),\(ew),15.6,45.0,\(dmy),,,A")
      + sentence("GPGGA,\(hms),\(la),\(ns),\(lo),\(ew),1,08,0.9,25.0,M,-32.1,M,,")
      + sentence("GPGSA,A,3,04,05,09,12,17,20,24,25,,,,,1.8,0.9,1.5")
  }

  /// A sentence with `$`, checksum and CR LF.
  public static func sentence(_ body: String) -> String {
    let checksum = body.utf8.reduce(UInt8(0)) { $0 ^ $1 }
    return "$\(body)*\(String(format: "%02X", checksum))\r\n"
  }

  private static func degreesMinutes(_ value: Double, isLatitude: Bool) -> (String, String) {
    let a = abs(value)
    let degrees = Int(a)
    let minutes = (a - Double(degrees)) * 60
    let text = String(format: isLatitude ? "%02d%07.4f" : "%03d%07.4f", degrees, minutes)
    return (text, isLatitude ? (value >= 0 ? "N" : "S") : (value >= 0 ? "E" : "W"))
  }
}
