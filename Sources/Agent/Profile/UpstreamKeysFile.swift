// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Crypto
import Foundation
import Logging
import Vault
import Wire

#if canImport(Glibc)
  import Glibc
#endif

/// The hub's public keys as `chalkline-hub keys export` writes them (the file a profile names in
/// `uplink.upstream_keys`): `{"hpke_public_key": BASE64, "signing_public_key": BASE64}`, the raw
/// 32-byte X25519 and Ed25519 keys.
public enum UpstreamKeysFile {
  /// Why a keys file was refused.
  public struct Problem: Error, CustomStringConvertible {
    public var description: String
  }

  /// Reads and checks the file; the error names the file and what to do. A file that a user other
  /// than its owner can write (group or others), or that belongs to neither root nor this user,
  /// is refused: whoever can write it could make the vehicle seal evidence to their own key.
  public static func read(_ path: String) throws -> (hpke: Data, signing: Data) {
    try checkOwnership(path)
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw Problem(description: "\(path) cannot be read (\(error.localizedDescription))")
    }
    guard let keys = try? UplinkAPI.decoder().decode(HubPublicKeys.self, from: data),
      keys.hpkePublicKey.count == 32, keys.signingPublicKey.count == 32
    else {
      throw Problem(
        description:
          "\(path) is not the hub's key file: expected {\"hpke_public_key\": …, \"signing_public_key\": …}, "
          + "base64 of 32 bytes each, as `chalkline-hub keys export` writes it")
    }
    return (keys.hpkePublicKey, keys.signingPublicKey)
  }

  /// Refuses a file others can write or that another user owns.
  static func checkOwnership(_ path: String) throws {
    guard let status = FileStatus(path: path) else {
      throw Problem(description: "\(path) cannot be read (\(String(cString: strerror(errno))))")
    }
    if status.permissions & 0o022 != 0 {
      throw Problem(
        description: "\(path): mode \(status.octalPermissions) lets others write the hub's keys "
          + "(expected 0644 or stricter: chmod go-w \(path))")
    }
    if status.owner != 0 && status.owner != getuid() {
      throw Problem(
        description:
          "\(path): owned by uid \(status.owner), neither root nor this user (expected root: chown root \(path))")
    }
  }

  /// What a vault opened without the hub's keys does.
  public enum WithoutKeys: Sendable {
    /// Seals to a throwaway key nobody holds: a replay's evidence, which nobody is to open.
    case throwawayKey
    /// Refuses: the agent on the road seals only to the hub (`chalkline run`), since a candidate
    /// sealed to a key nobody holds can never be reviewed, and the vault would keep that key.
    case refuse
  }

  /// The purpose the audit log gives a throwaway key's import: how a later start knows the key
  /// in force is one nobody holds.
  static let throwawayPurpose = "throwaway upstream for a replay without a hub"

  /// Gives a vault the hub's keys: into a vault without any (first provisioning), into one that
  /// holds only a throwaway key (nobody holds its private half, so nothing is lost by replacing
  /// it), or with `replace` (an explicit import). Keys that differ from the vault's are otherwise
  /// only logged: after provisioning they change by a signed keys document or `chalkline keys
  /// import-upstream`. Without keys, `withoutKeys` decides: a throwaway key (a replay without a
  /// hub) or a refusal naming what to do (the agent).
  public static func provision(
    _ vault: Vault, with keys: (hpke: Data, signing: Data)?, replace: Bool, withoutKeys: WithoutKeys = .throwawayKey,
    logger: Logger
  ) throws {
    let held = vault.keyring
    if let keys {
      let same =
        held.upstreamHPKEKey?.rawRepresentation == keys.hpke
        && held.upstreamSigningKey?.rawRepresentation == keys.signing
      if same { return }
      if held.upstreamHPKEKey == nil || replace {
        try vault.importUpstreamKeys(
          hpkePublicKey: keys.hpke, signingPublicKey: keys.signing, actor: replace ? "replay" : "agent",
          purpose: replace ? "upstream keys given on the command line" : "first provisioning from the profile")
      } else if try holdsThrowawayKey(vault) {
        let sealed = try vault.pendingCandidateCount()
        logger.warning(
          """
          the vault held a throwaway hub key: the profile's keys replace it; candidates already sealed to it \
          cannot be opened by the hub
          """,
          metadata: ["vault.pending_candidates": "\(sealed)", "profile.upstream_hpke": "\(keyFingerprint(keys.hpke))"])
        try vault.importUpstreamKeys(
          hpkePublicKey: keys.hpke, signingPublicKey: keys.signing, actor: "agent",
          purpose: "first provisioning from the profile, replacing a throwaway key nobody holds")
      } else {
        logger.warning(
          "the profile's upstream keys differ from the vault's and are not imported (hub keys change by signature)",
          metadata: [
            "vault.upstream_hpke": "\(keyFingerprint(held.upstreamHPKEKey?.rawRepresentation ?? Data()))",
            "profile.upstream_hpke": "\(keyFingerprint(keys.hpke))",
          ])
      }
      return
    }
    switch withoutKeys {
    case .throwawayKey:
      guard held.upstreamHPKEKey == nil else { return }
      logger.notice("no upstream key: evidence of this replay is sealed to a throwaway key nobody holds")
      try vault.importUpstreamKeys(
        hpkePublicKey: Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation,
        signingPublicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation, actor: "replay",
        purpose: throwawayPurpose)
    case .refuse:
      if held.upstreamHPKEKey != nil, !(try holdsThrowawayKey(vault)) { return }
      throw Problem(description: missingKeysSentence(stateDirectory: vault.stateDirectory.path))
    }
  }

  /// Why the agent does not start without the hub's keys, and what to do.
  static func missingKeysSentence(stateDirectory: String) -> String {
    "the vault in \(stateDirectory) holds no hub key and the profile has no uplink: candidates would be sealed to "
      + "a key nobody holds, never to be reviewed. Import the hub's keys (from `chalkline-hub keys export`) with "
      + "`sudo -u chalkline chalkline keys import-upstream --from /etc/chalkline/upstream-keys.json`, or set "
      + "uplink.url and uplink.upstream_keys in the profile"
  }

  /// Whether the hub key in force was imported as a throwaway: the last key import in the audit
  /// log says so (only ever read while deciding about keys at start).
  static func holdsThrowawayKey(_ vault: Vault) throws -> Bool {
    guard let held = vault.keyring.upstreamHPKEKey else { return false }
    var last: AuditEntry?
    var next: Int64 = 1
    while true {
      let page = try vault.auditEntries(from: next, limit: 1000)
      guard let end = page.last else { break }
      last = page.last { $0.action == "keys.import-upstream" } ?? last
      next = end.sequence + 1
    }
    guard let last else { return false }
    return last.purpose == throwawayPurpose && last.detail.contains("hpke=\(keyFingerprint(held.rawRepresentation))")
  }

  /// Whether the state directory's keyring holds the hub's keys, as far as this user can tell
  /// (nil when the directory cannot be looked into): `check-profile` says beforehand what
  /// ``provision(_:with:replace:withoutKeys:logger:)`` would refuse.
  static func stateHoldsKeys(_ stateDirectory: String) -> Bool? {
    // The keyring's file name (Vault's `Keyring.upstreamHPKEPath`).
    let file = Keyring.keysDirectory(in: URL(fileURLWithPath: stateDirectory)).appendingPathComponent(
      "upstream-hpke.pub")
    if FileStatus(path: file.path) != nil { return true }
    return errno == ENOENT ? false : nil
  }
}
