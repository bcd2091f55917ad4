// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// The status file the agent rewrites every few seconds in its state directory, for
/// `chalkline status`. Written atomically (a private temporary file renamed over it), mode
/// 0600, so only the agent's user reads it and a reader never sees half a file.
public enum StatusFile {
  /// The file's name in the state directory.
  public static let name = "status.json"

  /// The file's path in `stateDirectory`.
  public static func url(in stateDirectory: URL) -> URL { stateDirectory.appendingPathComponent(name) }

  /// Replaces the status file with `status`: a private temporary file renamed over it, so a reader
  /// sees the old status or the new one, never half of one.
  ///
  /// Not fsynced, on purpose: the agent rewrites it every status tick (a second by default), and a
  /// flush each time would wear the vehicle's flash for a file nobody needs across a power cut. After
  /// one the file is the last status the disk kept (ext4's `auto_da_alloc` writes a file renamed over
  /// another before the rename lands), or missing, until the next tick rewrites it; `chalkline
  /// status` says when the agent last wrote it.
  public static func write(_ status: AgentStatus, in stateDirectory: URL) throws(StatusFileError) {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    let target = url(in: stateDirectory).path
    let temporary = stateDirectory.appendingPathComponent(".\(name).tmp").path
    let bytes: Data
    do { bytes = try encoder.encode(status) } catch {
      throw StatusFileError(.unwritable, path: target, "Cannot encode the agent status", cause: error)
    }
    unlink(temporary)
    let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
    guard fd >= 0 else {
      throw StatusFileError(.unwritable, path: temporary, "Cannot create the status file", errno: errno)
    }
    let failure = bytes.withUnsafeBytes { SystemCall.writeAll(fd, $0) }
    // The umask may have widened nothing, but a pre-existing policy could: make it 0600 for sure.
    fchmod(fd, 0o600)
    close(fd)
    if let failure {
      unlink(temporary)
      throw StatusFileError(.unwritable, path: temporary, "Cannot write the status file", errno: failure)
    }
    guard rename(temporary, target) == 0 else {
      let code = errno
      unlink(temporary)
      throw StatusFileError(.unwritable, path: target, "Cannot replace the status file", errno: code)
    }
  }

  /// Reads the status file in `stateDirectory`.
  public static func read(in stateDirectory: URL) throws(StatusFileError) -> AgentStatus {
    let path = url(in: stateDirectory).path
    let data: Data
    do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
      throw StatusFileError(
        .missing, path: path,
        "No agent status here: is the agent running with this state directory, and are you its user?",
        cause: error)
    }
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    do { return try decoder.decode(AgentStatus.self, from: data) } catch {
      throw StatusFileError(
        .damaged, path: path, "The agent status file is damaged; it is rewritten within seconds", cause: error)
    }
  }

}

/// A status file could not be written or read.
public struct StatusFileError: Error, CustomStringConvertible, Sendable {
  /// What kind of failure.
  public enum Code: String, Sendable {
    /// The agent could not write it.
    case unwritable
    /// There is none, or this user may not read it.
    case missing
    /// It does not decode.
    case damaged
  }

  public var code: Code
  /// The file concerned.
  public var path: String
  /// What went wrong, for a technician.
  public var message: String
  /// The underlying error, if any.
  public var cause: String?

  init(_ code: Code, path: String, _ message: String, cause: (any Error)? = nil) {
    self.code = code
    self.path = path
    self.message = message
    self.cause = cause.map { "\($0)" }
  }

  init(_ code: Code, path: String, _ message: String, errno number: Int32) {
    self.init(code, path: path, message)
    cause = String(cString: strerror(number))
  }

  public var description: String { "\(path): \(message)" + (cause.map { " (\($0))" } ?? "") }
}
