// SPDX-License-Identifier: AGPL-3.0-or-later
import FoundationEssentials

extension UUID {
  /// The 16 bytes of the UUID: what binds an encrypted row, sealed evidence or a candidate id into
  /// associated data and HPKE `info`.
  public var bytes: Data { withUnsafeBytes(of: uuid) { Data($0) } }
}
