// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Enforcement
import Foundation
import Logging
import Uplink

/// Everything `chalkline run` reads before its first frame, read and checked the way it reads
/// them: the profile, the rules its `enforcement.*` files give, the hub's keys file and the
/// uplink's certificates and key. `run` and `check-profile` both call ``load(from:root:)``, so a
/// profile the check passes is one a shift starts with, and one it refuses never starts.
public struct ShiftInputs: Sendable {
  /// The profile.
  public var profile: DeviceProfile
  /// The rules of the profile's zones, policies and periods files.
  public var rules: ZoneSet
  /// The hub's raw X25519 and Ed25519 public keys from `uplink.upstream_keys`; nil without an uplink.
  public var upstreamKeys: (hpke: Data, signing: Data)?
  /// What is not the profile's to fix but stops `run` all the same, located at the key it
  /// concerns: a vault without the hub's keys and a profile without an uplink (imported with
  /// `chalkline keys import-upstream`, so `check-profile` warns and `run` refuses).
  public var warnings: [FileProblem] = []

  /// Reads the profile at `path` and every file it names as `run` does, and refuses it as a
  /// whole, every problem listed: the profile's own, then the rules' (located in their files),
  /// then the keys file's and the PEM files' (located at the key that names them).
  ///
  /// - Parameter root: absolute paths are looked up below this folder (a staged vehicle image).
  public static func load(from path: String, root: String? = nil) async throws(FileRefusal) -> ShiftInputs {
    let checked = try DeviceProfile.read(from: path, root: root)
    let profile = checked.profile
    var problems: [FileProblem] = []

    var enforcement = profile.enforcement
    enforcement.zonesFile = checked.local(enforcement.zonesFile)
    enforcement.policiesFile = enforcement.policiesFile.map(checked.local)
    enforcement.periodsFile = enforcement.periodsFile.map(checked.local)
    var rules: ZoneSet?
    do { rules = try enforcement.loadRules() } catch {
      problems += error.problems.isEmpty ? [checked.problem("enforcement.zones", error.message)] : error.problems
    }

    var keys: (hpke: Data, signing: Data)?
    var warnings: [FileProblem] = []
    if let uplink = profile.uplink {
      do { keys = try UpstreamKeysFile.read(checked.local(uplink.upstreamKeys)) } catch {
        problems.append(checked.problem("uplink.upstream_keys", "\(error)"))
      }
      if let problem = await credentialsProblem(uplink, keys: keys, checked: checked) { problems.append(problem) }
    } else if UpstreamKeysFile.stateHoldsKeys(checked.local(profile.vault.stateDirectory)) == false {
      // `run` seals to the hub only: without an uplink the vault must hold the hub's keys already.
      // They are the state directory's, not the profile's: imported after the profile is written.
      warnings.append(
        checked.problem(
          "uplink.upstream_keys",
          "is not set: " + UpstreamKeysFile.missingKeysSentence(stateDirectory: profile.vault.stateDirectory)))
    }

    guard problems.isEmpty, let rules else {
      throw FileRefusal(
        .invalid, file: path, message: "\(path): \(problems.count) problem(s); the profile is not used",
        problems: problems)
    }
    return ShiftInputs(profile: profile, rules: rules, upstreamKeys: keys, warnings: warnings)
  }

  /// Reads the client certificate, its key and the hub's CA as the uplink does at start (the same
  /// TLS set-up, no connection made); the first that does not read, at its key.
  private static func credentialsProblem(
    _ uplink: DeviceProfile.Uplink, keys: (hpke: Data, signing: Data)?, checked: CheckedProfile
  ) async -> FileProblem? {
    let files = [
      ("uplink.client_certificate", checked.local(uplink.clientCertificate), "a PEM certificate (BEGIN CERTIFICATE)"),
      ("uplink.client_key", checked.local(uplink.clientKey), "a PEM private key (BEGIN PRIVATE KEY)"),
      ("uplink.ca_certificate", checked.local(uplink.caCertificate), "PEM certificates (BEGIN CERTIFICATE)"),
    ]
    // The signing key plays no part in reading the PEM files; a keys file that did not read is
    // reported on its own.
    let signing =
      keys.flatMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0.signing) }
      ?? Curve25519.Signing.PrivateKey().publicKey
    let configuration = UplinkConfiguration(
      hubURL: uplink.url, certificatePath: files[0].1, privateKeyPath: files[1].1, trustedCAPath: files[2].1,
      hubSigningKey: signing, cacheDirectory: URL(fileURLWithPath: "/nonexistent"))
    let logger = Logger(label: "chalkline.check-profile", factory: { _ in SwiftLogNoOpLogHandler() })
    do {
      let connection = try HubConnection(configuration: configuration, logger: logger)
      try? await connection.shutdown()
      return nil
    } catch let error as UplinkError {
      // The connection reads the three files in this order and names the one that failed.
      let file = files.first { error.message.contains($0.1) } ?? files[0]
      return checked.problem(file.0, error.message, expected: file.2)
    } catch {
      return checked.problem(files[0].0, "\(error)", expected: files[0].2)
    }
  }
}
