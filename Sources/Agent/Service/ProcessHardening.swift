// SPDX-License-Identifier: AGPL-3.0-or-later

import CProcess
import Foundation
import Logging

#if canImport(Glibc)
  import Glibc
#endif

/// Keeps the agent's memory out of core dumps: frames, plate strings before hashing, window and
/// storage keys. At start the process sets its core file limit to zero and clears its "dumpable"
/// flag (`prctl(PR_SET_DUMPABLE, 0)`: no core dump, and no ptrace or /proc/PID/mem by the same
/// user); the unit also sets `LimitCORE=0`.
///
/// `CHALKLINE_ALLOW_CORE_DUMPS=1` in the environment leaves both alone, for a debugging session
/// on a bench vehicle only: a core dump then holds everything the agent held.
public enum ProcessHardening {
  /// The environment variable that keeps core dumps possible.
  public static let debugSwitch = "CHALKLINE_ALLOW_CORE_DUMPS"

  /// What the process is left with.
  public struct State: Sendable, Equatable {
    /// Whether the kernel would write a core dump of this process (`PR_GET_DUMPABLE`).
    public var dumpable: Bool
    /// The soft core file size limit, bytes.
    public var coreLimit: Int64
  }

  /// Applies the hardening unless the debug switch is set; throws when the kernel refuses.
  @discardableResult
  public static func apply(
    environment: [String: String] = ProcessInfo.processInfo.environment, logger: Logger
  ) throws -> State {
    if environment[debugSwitch] == "1" {
      logger.warning(
        "core dumps allowed (\(debugSwitch)=1): a crash writes frames, plate strings and keys to disk",
        metadata: ["process.dumpable": "1"])
      return current()
    }
    guard CProcess_disable_core_files() == 0 else {
      throw ProcessHardeningError(what: "setrlimit(RLIMIT_CORE, 0)", errno: errno)
    }
    guard CProcess_set_dumpable(0) == 0 else {
      throw ProcessHardeningError(what: "prctl(PR_SET_DUMPABLE, 0)", errno: errno)
    }
    return current()
  }

  /// The process's dumpable flag and core limit now.
  public static func current() -> State {
    State(dumpable: CProcess_get_dumpable() != 0, coreLimit: Int64(CProcess_core_limit()))
  }
}

/// The kernel refused to make the process undumpable.
public struct ProcessHardeningError: Error, CustomStringConvertible {
  /// The call that failed.
  public var what: String
  /// Its errno.
  public var errno: Int32

  public var description: String {
    "\(what) failed (\(String(cString: strerror(errno)))): the agent would leave keys and frames in a core dump; "
      + "set \(ProcessHardening.debugSwitch)=1 only to debug"
  }
}
