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

  /// Gives a vault the hub's keys: into a vault without any (first provisioning), or with
  /// `replace` (an explicit import). Keys that differ from the vault's are otherwise only logged:
  /// after provisioning they change by a signed keys document or `chalkline keys import-upstream`.
  /// Without keys and without any in the vault, a throwaway key nobody holds is imported (a
  /// replay without a hub).
  public static func provision(
    _ vault: Vault, with keys: (hpke: Data, signing: Data)?, replace: Bool, logger: Logger
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
      } else {
        logger.warning(
          "the profile's upstream keys differ from the vault's and are not imported (hub keys change by signature)",
          metadata: [
            "vault.upstream_hpke": "\(keyFingerprint(held.upstreamHPKEKey?.rawRepresentation ?? Data()))",
            "profile.upstream_hpke": "\(keyFingerprint(keys.hpke))",
          ])
      }
    } else if held.upstreamHPKEKey == nil {
      logger.notice("no upstream key: evidence of this replay is sealed to a throwaway key nobody holds")
      try vault.importUpstreamKeys(
        hpkePublicKey: Curve25519.KeyAgreement.PrivateKey().publicKey.rawRepresentation,
        signingPublicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation, actor: "replay",
        purpose: "throwaway upstream for a replay without a hub")
    }
  }
}
