// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Hub
import HubDevTools
import Logging
import NIOHTTP1
import Uplink
import Wire

let testLogger: Logger = {
  var logger = Logger(label: "hub-tests")
  logger.logLevel = .critical
  return logger
}()

func withTemporaryDirectory<T>(_ body: (URL) async throws -> T) async throws -> T {
  let url = FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID().uuidString)")
  try FileManager.default.createDirectory(
    at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
  defer { try? FileManager.default.removeItem(at: url) }
  return try await body(url)
}

/// Runs `body` with a connection as a device with `identity` would open it, shut down on every path.
func withConnection<T: Sendable>(
  _ hub: LoopbackHub, _ identity: DevelopmentPKI.Identity, port: Int, caPath: String? = nil,
  _ body: (HubConnection) async throws -> T
) async throws -> T {
  try await HubConnection.with(
    configuration: UplinkConfiguration(
      hubURL: URL(string: "https://127.0.0.1:\(port)")!, certificatePath: identity.certificate,
      privateKeyPath: identity.key, trustedCAPath: caPath ?? hub.pki.caCertificate,
      hubSigningKey: hub.keys.signing.publicKey, cacheDirectory: hub.directory.appendingPathComponent("cache"),
      connectTimeout: .seconds(10), requestTimeout: .seconds(30)),
    logger: testLogger, body)
}

/// Posts a batch and decodes the acknowledgement.
func post(_ batch: CandidateBatch, over connection: HubConnection) async throws -> (Int, BatchAcknowledgement?) {
  let reply = try await connection.send(.POST, UplinkAPI.candidateBatches, body: UplinkAPI.encoder().encode(batch))
  return (reply.status, try? UplinkAPI.decoder().decode(BatchAcknowledgement.self, from: reply.body))
}

/// Runs a command on a thread of its own (not one of the few cooperative threads, which a hub
/// in this process needs to answer it) and returns its status and standard output.
func runOffPool(_ executable: String, _ arguments: [String]) async throws -> (Int32, String) {
  try await withCheckedThrowingContinuation { continuation in
    Thread.detachNewThread {
      continuation.resume(with: Result { try run(executable, arguments) })
    }
  }
}

/// Runs a command and returns its status and standard output.
func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  // A file, not a Pipe: Foundation's readDataToEndOfFile traps on EINTR when tests run in parallel.
  let path = FileManager.default.temporaryDirectory.appendingPathComponent("run-\(UUID().uuidString).out")
  FileManager.default.createFile(atPath: path.path, contents: nil)
  defer { try? FileManager.default.removeItem(at: path) }
  let output = try FileHandle(forWritingTo: path)
  process.standardOutput = output
  process.standardError = FileHandle.nullDevice
  try process.run()
  process.waitUntilExit()
  try output.close()
  let data = (try? Data(contentsOf: path)) ?? Data()
  return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
