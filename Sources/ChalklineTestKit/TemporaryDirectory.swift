// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// Runs `body` with a fresh empty directory that is removed afterwards, whatever happens.
public func withTemporaryDirectory<T>(
  prefix: String = "chalkline-test", _ body: (URL) async throws -> T
) async rethrows -> T {
  let directory = FileManager.default.temporaryDirectory
    .appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
  try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: directory) }
  return try await body(directory)
}

/// Where the repository and its sibling `shared/` folder are, for tests and benchmarks.
public enum TestPaths {
  /// The package root (the folder holding Package.swift).
  public static let packageRoot: URL = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
      url.deleteLastPathComponent()
      if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
  }()

  /// The read-only `shared/` folder: `$CHALKLINE_SHARED`, else the first `shared/` holding `data/` beside the
  /// package root or one of its parents (in CI's clone it is the repository's sibling).
  public static let shared: URL = {
    if let path = ProcessInfo.processInfo.environment["CHALKLINE_SHARED"], !path.isEmpty {
      return URL(fileURLWithPath: path, isDirectory: true)
    }
    var directory = packageRoot
    while directory.path != "/" {
      let candidate = directory.appendingPathComponent("shared", isDirectory: true)
      if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("data").path) { return candidate }
      directory.deleteLastPathComponent()
    }
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared", isDirectory: true)
  }()

  /// `relative` inside `shared/` (e.g. `data/plates-us-dev`), or nil when it is not there.
  public static func sharedFile(_ relative: String) -> URL? {
    let url = shared.appendingPathComponent(relative)
    return FileManager.default.fileExists(atPath: url.path) ? url : nil
  }

  /// A product built by SwiftPM next to the test bundle, such as `chalkline`.
  public static func product(_ name: String) -> URL {
    let bundle = Bundle.main.bundleURL
    for candidate in [bundle.deletingLastPathComponent(), bundle] {
      let url = candidate.appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return packageRoot.appendingPathComponent(".build/debug/\(name)")
  }
}

/// The result of running a command to the end.
public struct CommandResult: Sendable {
  public var status: Int32
  public var standardOutput: String
  public var standardError: String
}

/// Runs an executable with arguments and returns its exit status and output.
///
/// The output goes to files, not pipes, read once the process has exited: a pipe's write end
/// leaks into any child another test spawns meanwhile (gpsd, the hub), and a reader waiting for
/// the pipe's end would then wait as long as that child lives (seen: a test run hung for good).
public func runCommand(
  _ executable: URL, _ arguments: [String], environment: [String: String]? = nil
) throws
  -> CommandResult
{
  let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chalkline-run-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: scratch) }  // a test's scratch folder; nothing of the vault
  let outURL = scratch.appendingPathComponent("stdout")
  let errURL = scratch.appendingPathComponent("stderr")
  FileManager.default.createFile(atPath: outURL.path, contents: nil)
  FileManager.default.createFile(atPath: errURL.path, contents: nil)
  let out = try FileHandle(forWritingTo: outURL)
  let err = try FileHandle(forWritingTo: errURL)
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  if let environment { process.environment = environment }
  process.standardOutput = out
  process.standardError = err
  process.standardInput = FileHandle.nullDevice
  do {
    try process.run()
  } catch {
    try? out.close()
    try? err.close()
    throw error
  }
  process.waitUntilExit()
  try out.close()
  try err.close()
  return CommandResult(
    status: process.terminationStatus, standardOutput: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
    standardError: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}
