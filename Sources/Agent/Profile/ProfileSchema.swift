// SPDX-License-Identifier: AGPL-3.0-or-later

/// The kind of value a device-profile key holds, with the range it accepts.
package enum ProfileValueKind: Sendable {
  case string(pattern: String?)
  case integer(ClosedRange<Int>)
  case number(ClosedRange<Double>)
  case boolean
  /// A length of time: seconds as a number, or a string such as `90s`, `5m`, `2h`, `7d`, `1h30m`, `500ms`.
  case duration(ClosedRange<Double>)
  /// A size in bytes: a number, or a string such as `512MiB`, `2GiB`, `1GB`.
  case size(ClosedRange<Int64>)
  case choice([String])
  /// A list whose every element is one of the choices, without repeats.
  case choiceList([String])
  /// A file that must exist; `privateKey` files must not be readable by group or others.
  case file(privateKey: Bool)
  /// A directory that the agent creates when missing.
  case directory
  /// An absolute path under `/dev` (a camera may be unplugged when the profile is checked).
  case devicePath
  case httpsURL
  /// An IANA time-zone identifier such as `America/Los_Angeles`.
  case timeZone
  /// Either the word `auto` or an integer in the range.
  case autoOrInteger(ClosedRange<Int>)

  /// What a technician should write, as said in problem messages and in the key reference.
  package var expectation: String {
    switch self {
    case .string(let pattern):
      return pattern.map { "text matching \($0)" } ?? "text"
    case .integer(let range): return "a whole number from \(range.lowerBound) to \(range.upperBound)"
    case .number(let range):
      return "a number from \(Self.format(range.lowerBound)) to \(Self.format(range.upperBound))"
    case .boolean: return "true or false"
    case .duration(let range):
      let inside = Self.durationExamples.filter { range.lowerBound < $0 && $0 < range.upperBound }
      return "a duration from \(DurationText.format(range.lowerBound)) to \(DurationText.format(range.upperBound))"
        + Self.like(inside.map(DurationText.format))
    case .size(let range):
      let inside = Self.sizeExamples.filter { range.lowerBound < $0 && $0 < range.upperBound }
      return "a size from \(SizeText.format(range.lowerBound)) to \(SizeText.format(range.upperBound))"
        + Self.like(inside.map(SizeText.format))
    case .choice(let choices): return "one of " + choices.joined(separator: ", ")
    case .choiceList(let choices): return "a list of " + choices.joined(separator: ", ") + " without repeats"
    case .file(let privateKey): return privateKey ? "a private key file of mode 0600 or 0400" : "an existing file"
    case .directory: return "a directory path"
    case .devicePath: return "an absolute path under /dev, like /dev/video0"
    case .httpsURL: return "an https:// URL"
    case .timeZone: return "an IANA time zone, like America/Los_Angeles"
    case .autoOrInteger(let range): return "auto, or a whole number from \(range.lowerBound) to \(range.upperBound)"
    }
  }

  /// Durations and sizes an expectation may show, each only inside the key's range.
  private static let durationExamples: [Double] = [
    2, 10, 30, 90, 300, 1800, 7200, 43200, 172_800, 604_800, 2_592_000,
  ]
  private static let sizeExamples: [Int64] = [64 << 10, 16 << 20, 256 << 20, 512 << 20, 2 << 30, 100 << 30]

  /// `, like A, B or C`: the first, middle and last of `examples`, or nothing without any.
  private static func like(_ examples: [String]) -> String {
    let picked = examples.isEmpty ? [] : [0, examples.count / 2, examples.count - 1].map { examples[$0] }
    var shown: [String] = []
    for example in picked where !shown.contains(example) { shown.append(example) }
    guard let last = shown.popLast() else { return "" }
    return ", like " + (shown.isEmpty ? last : shown.joined(separator: ", ") + " or " + last)
  }

  private static func format(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
  }
}

/// One key of the device profile: where it is, what it holds, and its default.
package struct ProfileKey: Sendable {
  /// The dotted path, such as `camera.mount.side`.
  package let path: String
  package let kind: ProfileValueKind
  /// The default as written in YAML; `nil` for a key the technician must set (or an optional one).
  package let defaultValue: String?
  /// Whether the profile is refused without it.
  package let required: Bool
  /// One sentence for the technician.
  package let summary: String

  package init(
    _ path: String, _ kind: ProfileValueKind, default defaultValue: String? = nil, required: Bool = false,
    _ summary: String
  ) {
    self.path = path
    self.kind = kind
    self.defaultValue = defaultValue
    self.required = required
    self.summary = summary
  }
}

/// Every key a device profile may hold. Validation, defaults and the reference in
/// `device-profiles/README.md` all follow this table (a test checks the README lists each key).
package enum ProfileSchema {
  package static let pixelFormats = ["MJPG", "YUYV", "GREY"]
  package static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

  package static let keys: [ProfileKey] = [
    // device
    ProfileKey(
      "device.id", .string(pattern: "^[a-z0-9][a-z0-9-]{2,62}$"), required: true,
      "The vehicle's device id, as registered at the upstream hub."),
    ProfileKey(
      "device.description", .string(pattern: nil), "Free text for people, such as the vehicle's fleet number."),
    // camera
    ProfileKey("camera.device", .devicePath, default: "/dev/video0", "The V4L2 capture device of the side camera."),
    ProfileKey(
      "camera.pixel_formats", .choiceList(pixelFormats), default: "[MJPG, YUYV, GREY]",
      "Pixel formats to ask the camera for, most preferred first."),
    ProfileKey("camera.width", .integer(160...4096), default: "1280", "Frame width in pixels."),
    ProfileKey("camera.height", .integer(120...2160), default: "720", "Frame height in pixels."),
    ProfileKey("camera.fps", .number(1...120), default: "30", "Frames per second to ask the camera for."),
    ProfileKey("camera.buffers", .integer(2...32), default: "4", "Capture buffers mapped from the driver."),
    ProfileKey(
      "camera.exposure", .autoOrInteger(1...1_000_000), default: "auto",
      "Exposure time in microseconds, or auto. Short exposures (≤ 1000) keep plates sharp while driving."),
    ProfileKey(
      "camera.gain", .autoOrInteger(0...10_000), default: "auto", "Sensor gain in the driver's units, or auto."),
    ProfileKey(
      "camera.stall_timeout", .duration(0.5...60), default: "3s",
      "A camera that delivers no frame for this long is reopened."),
    ProfileKey(
      "camera.mount.side", .choice(["left", "right"]), required: true,
      "The side of the vehicle the camera looks out of."),
    ProfileKey(
      "camera.mount.curb_distance_m", .number(0.5...20), required: true,
      "Metres from the camera to the middle of the parking lane it films."),
    ProfileKey(
      "camera.mount.forward_offset_m", .number(-10...10), default: "0",
      "Metres from the GPS antenna forward to the camera (negative: behind the antenna)."),
    ProfileKey(
      "camera.mount.yaw_deg", .number(-60...60), default: "0",
      "Degrees the camera is turned forward from looking straight out of the side (negative: backward)."),
    ProfileKey(
      "camera.mount.error_m", .number(0...10), default: "1",
      "Metres of error in the mount figures, added to the GPS error for each sighting's position."),
    // gps
    ProfileKey("gps.host", .string(pattern: nil), default: "127.0.0.1", "The host gpsd listens on."),
    ProfileKey("gps.port", .integer(1...65535), default: "2947", "The port gpsd listens on."),
    ProfileKey(
      "gps.max_eph_m", .number(1...100), default: "50",
      "Largest 95 % horizontal error radius (gpsd's epx/epy, else eph; metres) of a fix the agent uses."),
    ProfileKey("gps.max_fix_age", .duration(0.1...30), default: "2s", "Oldest fix usable for a frame."),
    ProfileKey(
      "gps.max_extrapolation", .duration(0...10), default: "1s",
      "How far past the last fix a position may be extrapolated; beyond it a sighting has no position."),
    // reader
    ProfileKey(
      "reader.model", .choice(["default"]), default: "default", "The plate-reading model shipped with the agent."),
    ProfileKey(
      "reader.min_confidence", .number(0...1), default: "0.6",
      "Lowest read confidence at which a sighting may be chalked."),
    ProfileKey("reader.alternatives", .integer(1...10), default: "5", "Readings kept per sighting, best first."),
    // enforcement
    ProfileKey(
      "enforcement.zones", .file(privateKey: false), required: true,
      "Curb zones (a CDS /curbs/zones response, or the one-document form) used until the upstream sends newer ones."),
    ProfileKey(
      "enforcement.policies", .file(privateKey: false),
      "The CDS /curbs/policies response that goes with enforcement.zones (omit when the zones file carries them)."),
    ProfileKey(
      "enforcement.periods", .file(privateKey: false),
      "Designated periods (the city's holiday list), a versioned JSON document the policies' time spans name."),
    ProfileKey(
      "enforcement.time_zone", .timeZone, default: "America/Los_Angeles",
      "Time zone of the posted signs, when the zones file names none."),
    ProfileKey(
      "enforcement.same_place_tolerance_m", .number(1...100), default: "10",
      "Two sightings are the same stay when their curb positions are within this many metres, beyond both errors."),
    ProfileKey(
      "enforcement.grace", .duration(0...3600), default: "5m",
      "Time added to a posted limit before a stay becomes a violation candidate."),
    ProfileKey(
      "enforcement.permit_min_observation", .duration(300...14400), default: "10m",
      "How long a car without a permit must be seen in a permit zone before it becomes a candidate (at least 5m: a car stopping briefly is not parked)."
    ),
    // vault
    ProfileKey(
      "vault.state_dir", .directory, default: "/var/lib/chalkline",
      "Where the encrypted store and the keyring live (systemd's StateDirectory)."),
    ProfileKey(
      "vault.quota", .size(16 << 20...(1 << 40)), default: "2GiB",
      "Largest size of the store; when reached, new chalk marks are refused, never unsynced evidence."),
    ProfileKey(
      "vault.space_reserve", .size(0...(1 << 30)), default: "16MiB",
      "Space held in a file of the state directory and given up when the disk fills outright, so candidates, deletions and the audit log still fit; taken again once there is room (0B: none)."
    ),
    ProfileKey(
      "vault.max_unsynced_age", .duration(3600...7_776_000), default: "7d",
      "Unsynced candidates older than this raise an alarm (they are never deleted unsynced)."),
    // uplink
    ProfileKey(
      "uplink.url", .httpsURL,
      "The upstream hub. Without it the agent keeps candidates in the vault and syncs nothing; the vault must "
        + "then already hold the hub's keys (`sudo -u chalkline chalkline keys import-upstream --from FILE`), or "
        + "`run` refuses to start (`check-profile` warns): evidence is sealed to the hub only, never to a key "
        + "nobody holds."),
    ProfileKey("uplink.client_certificate", .file(privateKey: false), "The device's TLS client certificate (PEM)."),
    ProfileKey("uplink.client_key", .file(privateKey: true), "The device's TLS client key (PEM), mode 0600."),
    ProfileKey("uplink.ca_certificate", .file(privateKey: false), "The CA that signed the hub's certificate (PEM)."),
    ProfileKey(
      "uplink.upstream_keys", .file(privateKey: false),
      "The hub's public keys (sealing and signing), as issued by `chalkline-hub`."),
    ProfileKey(
      "uplink.sync_interval", .duration(1...3600), default: "30s", "How often the outbox is sent when connected."),
    ProfileKey("uplink.batch_size", .integer(1...1000), default: "50", "Candidates per upload."),
    // logging and metrics
    ProfileKey("logging.level", .choice(logLevels), default: "info", "Lowest level written to the journal."),
    ProfileKey(
      "metrics.port", .integer(0...65535), default: "9464",
      "Port for Prometheus metrics on 127.0.0.1 only; 0 turns them off."),
  ]

  /// Keys that become required when `uplink.url` is set.
  package static let uplinkKeys = [
    "uplink.client_certificate", "uplink.client_key", "uplink.ca_certificate", "uplink.upstream_keys",
  ]

  package static let byPath: [String: ProfileKey] = Dictionary(uniqueKeysWithValues: keys.map { ($0.path, $0) })

  /// Every mapping path (`camera`, `camera.mount`, …) and the names it may hold.
  package static let children: [String: Set<String>] = {
    var result: [String: Set<String>] = [:]
    for key in keys {
      let parts = key.path.split(separator: ".").map(String.init)
      for depth in 0..<parts.count {
        let parent = parts[0..<depth].joined(separator: ".")
        result[parent, default: []].insert(parts[depth])
      }
    }
    return result
  }()
}
