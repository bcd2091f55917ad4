// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Who runs a hub command, as the access audit records it: the operating-system account of the
/// effective user (`getpwuid(geteuid())`), not a name the command line states.
public enum OperatorIdentity {
  /// `os:LOGIN` (or `os:uid=N` when the account has no passwd entry).
  public static var current: String {
    let uid = geteuid()
    guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return "os:uid=\(uid)" }
    return "os:" + String(cString: name)
  }
}
