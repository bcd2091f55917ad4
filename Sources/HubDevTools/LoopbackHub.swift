// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Hub
import Hummingbird
import Logging

/// A complete hub on 127.0.0.1 in a scratch directory: development PKI, hub keys, a
/// configuration and a database. For integration tests and benchmarks; `serve` runs the real
/// `HubServer` on a free port and stops it when the body returns.
public struct LoopbackHub: Sendable {
  /// The scratch directory.
  public let directory: URL
  /// The certificates.
  public let pki: DevelopmentPKI
  /// The hub configuration (listen port 0).
  public let configuration: HubConfiguration
  /// The hub's keys.
  public let keys: HubKeys

  /// Makes PKI, keys and configuration in `directory`. Reviewers get the given passwords.
  public static func create(
    in directory: URL, reviewers: [String: String] = [:], maxBatchBytes: Int = 32 << 20,
    login: LoginGuard.Policy = .init()
  ) throws -> LoopbackHub {
    let pki = try DevelopmentPKI.create(in: directory.appendingPathComponent("pki"))
    let keysDirectory = directory.appendingPathComponent("keys").path
    let keys = try HubKeys.create(in: keysDirectory)
    let distribution = directory.appendingPathComponent("distribution")
    try FileManager.default.createDirectory(at: distribution, withIntermediateDirectories: true)
    let configuration = HubConfiguration(
      listen: .init(host: "127.0.0.1", port: 0),
      tls: .init(certificate: pki.hubCertificate, privateKey: pki.hubKey, clientCa: pki.caCertificate),
      database: directory.appendingPathComponent("hub.sqlite").path, keysDirectory: keysDirectory,
      distributionDirectory: distribution.path,
      reviewers: try reviewers.sorted { $0.key < $1.key }.map {
        HubConfiguration.Reviewer(name: $0.key, passwordHash: try PasswordHash(password: $0.value).encoded)
      },
      maxBatchBytes: maxBatchBytes, review: .init(host: "127.0.0.1", port: 0), login: login)
    return LoopbackHub(directory: directory, pki: pki, configuration: configuration, keys: keys)
  }

  /// Opens the hub's storage and logic (a new instance each call, as after a restart).
  public func service(logger: Logger) throws -> HubService {
    HubService(
      configuration: configuration, storage: try SQLiteHubStorage(path: configuration.database), keys: keys,
      logger: logger)
  }

  /// Issues a client certificate for a new device and registers it with `deviceKey`.
  public func addDevice(
    name: String, deviceKey: Curve25519.Signing.PublicKey, logger: Logger
  ) async throws
    -> DevelopmentPKI.Identity
  {
    let identity = try pki.issue(name: name)
    try await service(logger: logger).registerDevice(
      name: name, certificatePath: identity.certificate, signingKey: deviceKey.rawRepresentation, actor: "test",
      purpose: "loopback hub")
    return identity
  }

  /// Runs the hub on a free port for the duration of `body`, which receives the port.
  public func serve<T: Sendable>(
    logger: Logger, middlewares: [any MiddlewareProtocol<Request, Response, HubRequestContext>] = [],
    _ body: @Sendable (Int) async throws -> T
  ) async throws -> T {
    let server = HubServer(service: try service(logger: logger), logger: logger, middlewares: middlewares)
    let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
    return try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask {
        defer { continuation.finish() }
        try await server.run { port in continuation.yield(port) }
        return nil
      }
      var iterator = ports.makeAsyncIterator()
      guard let port = await iterator.next() else {
        try await group.next().map { _ in () }
        throw HubError(.tls, "The loopback hub did not start.")
      }
      let result = try await body(port)
      group.cancelAll()
      while let _ = try await group.next() {}
      return result
    }
  }
}
