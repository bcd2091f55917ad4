// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// The on-disk form of one key: a single line `chalkline-key 1 KIND BASE64`, so a key file that
/// is truncated, of another kind or from another program is refused rather than misused.
struct KeyFile {
  /// What a key file holds.
  enum Kind: String {
    case deviceSigning = "device-ed25519-private"
    case storage = "storage-chachapoly"
    case upstreamHPKE = "upstream-x25519-public"
    case upstreamSigning = "upstream-ed25519-public"
    case window = "window-hmac-sha256"
  }

  static func encode(_ kind: Kind, _ bytes: some DataProtocol) -> Data {
    Data("chalkline-key 1 \(kind.rawValue) \(Data(bytes).base64EncodedString())\n".utf8)
  }

  static func decode(_ kind: Kind, _ data: Data, path: String) throws -> Data {
    let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    let fields = text.split(separator: " ")
    guard fields.count == 4, fields[0] == "chalkline-key", fields[1] == "1" else {
      throw VaultError(
        .badKeyFile, "\(path) is not a Chalkline key file; restore it from backup or re-create the keyring.")
    }
    guard fields[2] == kind.rawValue else {
      throw VaultError(.badKeyFile, "\(path) holds a \(fields[2]) key where a \(kind.rawValue) key was expected.")
    }
    guard let bytes = Data(base64Encoded: String(fields[3])) else {
      throw VaultError(.badKeyFile, "\(path) is damaged (its key is not valid base64).")
    }
    return bytes
  }

  static func read(_ kind: Kind, at path: String) throws -> Data {
    try decode(kind, SecureFiles.read(path), path: path)
  }

  static func write(_ kind: Kind, _ bytes: some DataProtocol, to path: String, exclusive: Bool = false) throws {
    try SecureFiles.write(encode(kind, bytes), to: path, exclusive: exclusive)
  }
}
