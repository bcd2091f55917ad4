// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// A short, readable fingerprint of a public key: the first 16 bytes of its SHA-256, in hex
/// groups of four.
public func keyFingerprint(_ raw: some DataProtocol) -> String {
  let hex = Data(SHA256.hash(data: Data(raw)).prefix(16)).hexString
  return stride(from: 0, to: hex.count, by: 4).map { start in
    let a = hex.index(hex.startIndex, offsetBy: start)
    return String(hex[a..<hex.index(a, offsetBy: 4)])
  }.joined(separator: ":")
}
