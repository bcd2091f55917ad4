// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Uplink

/// The hub's public keys as `chalkline-hub keys export` writes them (the file a profile names in
/// `uplink.upstream_keys`): `{"hpke_public_key": BASE64, "signing_public_key": BASE64}`, the raw
/// 32-byte X25519 and Ed25519 keys.
public enum UpstreamKeysFile {
  /// Why a keys file was refused.
  public struct Problem: Error, CustomStringConvertible {
    public var description: String
  }

  /// Reads and checks the file; the error names the file and what to do.
  public static func read(_ path: String) throws -> (hpke: Data, signing: Data) {
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
}
