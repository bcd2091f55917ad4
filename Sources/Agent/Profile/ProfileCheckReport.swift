// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import FoundationEssentials

/// The result of checking a profile, as `check-profile --json` prints it.
public struct ProfileCheckReport: Codable, Sendable, Equatable {
  /// One problem, located.
  public struct Problem: Codable, Sendable, Equatable {
    /// The file the problem is in, when it is not the profile (a zones file it names).
    public var file: String?
    public var line: Int
    public var key: String
    public var problem: String
    public var expected: String
  }

  public var file: String
  public var valid: Bool
  /// `unreadable` when the file could not be read at all.
  public var error: String?
  public var device: String?
  public var problems: [Problem]
  /// What stops `chalkline run` without being the profile's to fix (a vault without the hub's keys).
  public var warnings: [Problem] = []

  public init(file: String, valid: Bool, device: String?, problems: [Problem], warnings: [FileProblem] = []) {
    self.file = file
    self.valid = valid
    self.device = device
    self.problems = problems
    self.warnings = warnings.map { Problem($0, profile: file) }
  }

  /// The report of a refused profile.
  public init(error: FileRefusal) {
    self.file = error.file
    self.valid = false
    self.error = error.code == .unreadable ? "unreadable: \(error.cause.map { "\($0)" } ?? "")" : nil
    self.problems = error.problems.map { Problem($0, profile: error.file) }
  }
}

extension ProfileCheckReport.Problem {
  /// A located problem; its file is named only when it is not `profile` (the file checked).
  public init(_ problem: FileProblem, profile: String) {
    self.init(
      file: problem.file == profile ? nil : problem.file, line: problem.line, key: problem.keyPath,
      problem: problem.problem, expected: problem.expected ?? "")
  }
}

extension DeviceProfile {
  /// A few lines for a technician: what this profile sets up.
  public var summaryLines: [String] {
    let formats = camera.pixelFormats.joined(separator: "/")
    var lines = [
      "camera \(camera.device), \(camera.width)x\(camera.height) \(formats) at \(camera.fps) fps, "
        + "\(camera.side.rawValue) side, curb lane \(camera.curbDistance) m away",
      "gps \(gps.host):\(gps.port), fixes usable within \(gps.maxEph) m and \(DurationText.format(gps.maxFixAge))",
      "zones \(enforcement.zonesFile) (\(enforcement.timeZone)), same place within "
        + "\(enforcement.samePlaceTolerance) m, grace \(DurationText.format(enforcement.grace))",
      "vault \(vault.stateDirectory), quota \(SizeText.format(vault.quota))",
    ]
    lines.append(uplink.map { "uplink \($0.url.absoluteString)" } ?? "uplink off: candidates stay in the vault")
    return lines
  }
}
