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

  /// `shared/`: `$CHALKLINE_SHARED`, or the sibling of the repository (as in CI's clone).
  public static let shared: URL = {
    if let path = ProcessInfo.processInfo.environment["CHALKLINE_SHARED"] { return URL(fileURLWithPath: path) }
    return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
  }()

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
public func runCommand(
  _ executable: URL, _ arguments: [String], environment: [String: String]? = nil
) throws
  -> CommandResult
{
  let process = Process()
  process.executableURL = executable
  process.arguments = arguments
  if let environment { process.environment = environment }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  process.standardInput = FileHandle.nullDevice
  try process.run()
  // Drain stderr on another thread while stdout is read here, so a chatty child never blocks
  // on a full pipe.
  let errBox = DataBox()
  let reader = Thread { errBox.set(err.fileHandleForReading.readDataToEndOfFile()) }
  reader.start()
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  while !errBox.isSet { usleep(1000) }
  let errData = errBox.data
  process.waitUntilExit()
  return CommandResult(
    status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
    standardError: String(decoding: errData, as: UTF8.self))
}

/// A data value handed from one thread to another.
private final class DataBox: @unchecked Sendable {  // guarded by its lock
  private let lock = NSLock()
  private var value: Data?
  func set(_ data: Data) { lock.withLock { value = data } }
  var isSet: Bool { lock.withLock { value != nil } }
  var data: Data { lock.withLock { value ?? Data() } }
}
