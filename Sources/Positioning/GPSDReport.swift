// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// One object of gpsd's JSON protocol, as far as Chalkline cares about it.
public enum GPSDReport: Sendable, Equatable {
  /// A `TPV` (time-position-velocity) report. `fix` is `nil` when the TPV carried no usable time.
  case tpv(Fix?, device: String?)
  /// A `SKY` report: satellites seen and used.
  case sky(satellitesSeen: Int?, satellitesUsed: Int?)
  /// gpsd's `VERSION` greeting.
  case version(release: String)
  /// Any other class (`DEVICES`, `WATCH`, `PPS`, `TOFF`, classes newer gpsd adds, ...): ignored.
  case other(className: String)

  /// Decodes one line of gpsd JSON; `nil` when it is not a JSON object with a `class` string.
  ///
  /// Unknown fields are ignored, so logs from newer gpsd versions decode.
  public static func decode(line: some StringProtocol) -> GPSDReport? {
    let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
    guard trimmed.first == "{", let data = trimmed.data(using: .utf8),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let className = object["class"] as? String
    else { return nil }
    switch className {
    case "TPV":
      return .tpv(Self.fix(from: object), device: object["device"] as? String)
    case "SKY":
      return .sky(satellitesSeen: Self.int(object["nSat"]), satellitesUsed: Self.int(object["uSat"]))
    case "VERSION":
      return .version(release: object["release"] as? String ?? "")
    default:
      return .other(className: className)
    }
  }

  private static func double(_ value: Any?) -> Double? {
    guard let number = value as? NSNumber else { return nil }
    let d = number.doubleValue
    return d.isFinite ? d : nil
  }

  /// A whole number; nil when it is not one an `Int` can hold (`"mode": 1e300` would trap).
  private static func int(_ value: Any?) -> Int? {
    double(value).flatMap { Int(exactly: $0.rounded(.towardZero)) }
  }

  private static func fix(from object: [String: Any]) -> Fix? {
    guard let timeText = object["time"] as? String, let time = UTCTime.parse(timeText) else { return nil }
    let mode = FixMode(rawValue: int(object["mode"]) ?? 0) ?? .unknown
    var position: GeoPosition?
    if mode >= .twoD, let lat = double(object["lat"]), let lon = double(object["lon"]) {
      let p = GeoPosition(latitude: lat, longitude: lon)
      position = p.isValid ? p : nil
    }
    return Fix(
      time: time,
      mode: position == nil ? min(mode, .noFix) : mode,
      position: position,
      altitude: double(object["altMSL"]) ?? double(object["alt"]),
      eph: double(object["eph"]),
      epx: double(object["epx"]),
      epy: double(object["epy"]),
      speed: double(object["speed"]),
      track: double(object["track"]).map(Heading.normalized)
    )
  }
}

extension Fix {
  /// This fix as a gpsd `TPV` line (no trailing newline), in the field order gpsd writes.
  public var tpvLine: String {
    var fields = ["\"class\":\"TPV\"", "\"mode\":\(mode.rawValue)", "\"time\":\"\(UTCTime.format(time))\""]
    func add(_ key: String, _ value: Double?, _ digits: Int) {
      guard let value, value.isFinite else { return }
      fields.append("\"\(key)\":\(String(format: "%.\(digits)f", value))")
    }
    add("lat", position?.latitude, 9)
    add("lon", position?.longitude, 9)
    add("altMSL", altitude, 3)
    add("epx", epx, 3)
    add("epy", epy, 3)
    add("track", track, 4)
    add("speed", speed, 3)
    add("eph", eph, 3)
    return "{" + fields.joined(separator: ",") + "}"
  }
}
