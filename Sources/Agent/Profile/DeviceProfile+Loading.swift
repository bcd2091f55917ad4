// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation
import Logging
import Yams

extension DeviceProfile {
  /// Reads and validates the profile at `path`.
  ///
  /// - Parameters:
  ///   - path: the profile file; relative paths inside it are taken from its folder.
  ///   - root: when set, absolute paths in the profile are looked up below this folder, so a
  ///     vehicle's profile can be checked against a staged image before it is installed.
  /// - Throws: ``FileRefusal`` listing every problem found, or saying why the file is unreadable.
  public static func load(from path: String, root: String? = nil) throws(FileRefusal) -> DeviceProfile {
    try read(from: path, root: root).profile
  }

  /// Reads and validates the profile at `path`, keeping where each key was written and where
  /// the files it names are on this machine, for the checks that read those files.
  package static func read(from path: String, root: String? = nil) throws(FileRefusal) -> CheckedProfile {
    let text: String
    do {
      let data = try Data(contentsOf: URL(fileURLWithPath: path))
      guard let decoded = String(data: data, encoding: .utf8) else {
        throw CocoaError(.fileReadInapplicableStringEncoding)
      }
      text = decoded
    } catch {
      throw FileRefusal(.unreadable, file: path, message: "\(path): cannot read the profile: \(error)", cause: error)
    }
    let directory = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path
    return try check(yaml: text, file: path, paths: ProfilePathContext(directory: directory, root: root))
  }

  /// Validates profile text; `file` is only used in messages.
  package static func parse(yaml: String, file: String, paths: ProfilePathContext) throws(FileRefusal) -> DeviceProfile
  {
    try check(yaml: yaml, file: file, paths: paths).profile
  }

  private static func check(
    yaml: String, file: String, paths: ProfilePathContext
  ) throws(FileRefusal)
    -> CheckedProfile
  {
    var checker = ProfileChecker(file: file, paths: paths)
    let values = checker.check(yaml: yaml)
    guard checker.problems.isEmpty else {
      let sorted = checker.problems.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
      throw FileRefusal(
        .invalid, file: file, message: "\(file): \(sorted.count) problem(s); the profile is not used",
        problems: sorted.map(\.element))
    }
    return CheckedProfile(
      profile: DeviceProfile(values: values), file: file, paths: paths, lines: checker.lines, onDisk: checker.onDisk)
  }

  /// Builds the profile from checked values; every key without a value takes its schema default.
  private init(values: [String: ProfileValue]) {
    func value(_ path: String) -> ProfileValue? { values[path] ?? ProfileChecker.defaultValue(path) }
    func text(_ path: String) -> String { value(path)?.text ?? "" }
    func number(_ path: String) -> Double { value(path)?.number ?? 0 }
    func integer(_ path: String) -> Int { value(path)?.integer ?? 0 }
    func control(_ path: String) -> Camera.Control {
      if case .integer(let setting) = value(path) { return .manual(setting) }
      return .auto
    }
    deviceID = DeviceID(text("device.id"))
    description = values["device.description"]?.text
    camera = Camera(
      device: text("camera.device"), pixelFormats: value("camera.pixel_formats")?.list ?? ProfileSchema.pixelFormats,
      width: integer("camera.width"), height: integer("camera.height"), fps: number("camera.fps"),
      buffers: integer("camera.buffers"), exposure: control("camera.exposure"), gain: control("camera.gain"),
      stallTimeout: number("camera.stall_timeout"), side: Camera.Side(rawValue: text("camera.mount.side")) ?? .right,
      curbDistance: number("camera.mount.curb_distance_m"), forwardOffset: number("camera.mount.forward_offset_m"),
      yawDegrees: number("camera.mount.yaw_deg"), mountError: number("camera.mount.error_m"))
    gps = GPS(
      host: text("gps.host"), port: integer("gps.port"), maxEph: number("gps.max_eph_m"),
      maxFixAge: number("gps.max_fix_age"), maxExtrapolation: number("gps.max_extrapolation"))
    reader = Reader(
      model: text("reader.model"), minConfidence: number("reader.min_confidence"),
      alternatives: integer("reader.alternatives"))
    enforcement = Enforcement(
      zonesFile: text("enforcement.zones"), timeZone: text("enforcement.time_zone"),
      samePlaceTolerance: number("enforcement.same_place_tolerance_m"), grace: number("enforcement.grace"),
      permitMinObservation: number("enforcement.permit_min_observation"))
    enforcement.policiesFile = value("enforcement.policies")?.text
    enforcement.periodsFile = value("enforcement.periods")?.text
    vault = Vault(
      stateDirectory: text("vault.state_dir"), quota: value("vault.quota")?.size ?? 0,
      maxUnsyncedAge: number("vault.max_unsynced_age"), spaceReserve: value("vault.space_reserve")?.size ?? 0)
    if let url = values["uplink.url"]?.text.flatMap(URL.init(string:)) {
      uplink = Uplink(
        url: url, clientCertificate: text("uplink.client_certificate"), clientKey: text("uplink.client_key"),
        caCertificate: text("uplink.ca_certificate"), upstreamKeys: text("uplink.upstream_keys"),
        syncInterval: number("uplink.sync_interval"), batchSize: integer("uplink.batch_size"))
    } else {
      uplink = nil
    }
    logLevel = Logger.Level(rawValue: text("logging.level")) ?? .info
    metricsPort = integer("metrics.port")
  }
}
