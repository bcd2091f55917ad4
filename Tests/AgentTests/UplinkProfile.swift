// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ChalklineTestKit
import Dump
import Foundation
import Hub
import HubDevTools
import Logging
import Vault

/// The shipped replay profile (device-profiles/replay-default.yaml, its zones beside it) with its
/// vault in `state`.
func replayProfile(state: URL) throws -> DeviceProfile {
  var profile = try DeviceProfile.load(
    from: TestPaths.packageRoot.appendingPathComponent("device-profiles/replay-default.yaml").path)
  profile.vault.stateDirectory = state.path
  return profile
}

/// The embedded replay profile's text with its vault in `state` and its zones file at `zones`
/// (by default the shipped one, by absolute path); its policies and holidays are the shipped
/// ones, by absolute path, unless `policies` names other policies.
func replayProfileText(state: URL, zones: URL? = nil, policies: URL? = nil) throws -> String {
  let root = TestPaths.packageRoot.appendingPathComponent("device-profiles")
  let zonesPath = zones ?? root.appendingPathComponent("zones/san-jose-downtown.json")
  let policiesPath = policies ?? root.appendingPathComponent("zones/san-jose-downtown-policies.json")
  return try String(contentsOf: root.appendingPathComponent("replay-default.yaml"), encoding: .utf8)
    .replacingOccurrences(of: "zones/san-jose-downtown-policies.json", with: policiesPath.path)
    .replacingOccurrences(
      of: "zones/san-jose-holidays.json", with: root.appendingPathComponent("zones/san-jose-holidays.json").path
    )
    .replacingOccurrences(of: "zones/san-jose-downtown.json", with: zonesPath.path)
    .replacingOccurrences(of: "/tmp/chalkline-replay", with: state.path)
}

/// The shipped zones response with the shipped policies response's policies inline: the form
/// the hub distributes.
func shippedHubZonesDocument() throws -> Data {
  let folder = TestPaths.packageRoot.appendingPathComponent("device-profiles/zones")
  func read(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: folder.appendingPathComponent(name))
    guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw CocoaError(.fileReadCorruptFile)
    }
    return object
  }
  var zones = try read("san-jose-downtown.json")
  var data = zones["data"] as? [String: Any] ?? [:]
  data["policies"] = (try read("san-jose-downtown-policies.json")["data"] as? [String: Any])?["policies"]
  zones["data"] = data
  return try JSONSerialization.data(withJSONObject: zones)
}

/// The embedded replay profile with its vault in `state`, metrics on `metricsPort` (0: off) and
/// an uplink to a loopback hub on `hubPort` as the device `identity`; written beside `state` and
/// loaded.
func uplinkProfile(
  hub: LoopbackHub, identity: DevelopmentPKI.Identity, hubPort: Int, keysFile: URL, state: URL, metricsPort: Int = 0,
  batchSize: Int
) throws -> (path: URL, profile: DeviceProfile) {
  let text =
    try replayProfileText(state: state)
    .replacingOccurrences(of: "port: 0 ", with: "port: \(metricsPort) ")
      + """

      uplink:
        url: https://127.0.0.1:\(hubPort)/
        client_certificate: \(identity.certificate)
        client_key: \(identity.key)
        ca_certificate: \(hub.pki.caCertificate)
        upstream_keys: \(keysFile.path)
        sync_interval: 1s
        batch_size: \(batchSize)

      """
  let path = state.deletingLastPathComponent().appendingPathComponent("profile.yaml")
  try text.write(to: path, atomically: true, encoding: .utf8)
  return (path, try DeviceProfile.load(from: path.path))
}

/// The daemon fed by `dump` at fast pace (its gps.jsonl standing in for gpsd), reading plates
/// with the generated patrol's ground truth, with no systemd to notify.
func replayDaemon(
  profilePath: URL, profile: DeviceProfile, vault: Vault, dump: URL = GeneratedPatrol.directory, loop: Bool,
  queue: Int, statusInterval: Duration, logger: Logger
) -> AgentDaemon {
  var options = AgentDaemon.Options(profilePath: profilePath.path)
  options.replayDump = dump.path
  options.replayPace = .fast
  options.replayLoop = loop
  options.queueCapacity = queue
  options.statusInterval = statusInterval
  let truth = GeneratedPatrol.directory
  return AgentDaemon(
    profile: profile, options: options, vault: vault, notifier: SystemdNotifier(environment: [:]),
    makeReader: { try TruthReader(patrol: truth) }, logger: logger)
}
