// SPDX-License-Identifier: AGPL-3.0-or-later
import AsyncHTTPClient
import ChalklineModel
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// The HTTPS connection to the hub, with the device's client certificate (mutual TLS). One
/// instance per agent; `shutdown()` before it goes away.
public final class HubConnection: Sendable {
  /// A reply: status, headers and the whole body (bounded).
  public struct Reply: Sendable {
    /// HTTP status code.
    public var status: Int
    /// Response headers.
    public var headers: HTTPHeaders
    /// The body.
    public var body: Data
  }

  let client: HTTPClient
  let configuration: UplinkConfiguration
  let logger: Logger

  /// Reads the certificate, key and CA and prepares the client; no connection is made yet.
  public init(configuration: UplinkConfiguration, logger: Logger) throws {
    self.configuration = configuration
    self.logger = logger
    var tls = TLSConfiguration.makeClientConfiguration()
    do {
      tls.certificateChain = try NIOSSLCertificate.fromPEMFile(configuration.certificatePath).map { .certificate($0) }
    } catch {
      throw UplinkError(
        .credentials, "The client certificate \(configuration.certificatePath) cannot be read as PEM.",
        cause: error)
    }
    do {
      tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: configuration.privateKeyPath, format: .pem))
    } catch {
      throw UplinkError(
        .credentials, "The client key \(configuration.privateKeyPath) cannot be read as a PEM private key.",
        cause: error)
    }
    do {
      tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(configuration.trustedCAPath))
    } catch {
      throw UplinkError(
        .credentials, "The CA file \(configuration.trustedCAPath) cannot be read as PEM certificates.",
        cause: error)
    }
    tls.minimumTLSVersion = .tlsv12
    var httpConfiguration = HTTPClient.Configuration(
      tlsConfiguration: tls,
      timeout: .init(
        connect: .nanoseconds(Int64(configuration.connectTimeout.seconds * 1e9)),
        read: .nanoseconds(Int64(configuration.requestTimeout.seconds * 1e9))),
      connectionPool: HTTPClient.Configuration.ConnectionPool())
    httpConfiguration.decompression = .disabled
    httpConfiguration.httpVersion = .http1Only
    client = HTTPClient(
      eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration,
      backgroundActivityLogger: logger)
  }

  /// Closes every connection.
  public func shutdown() async throws { try await client.shutdown() }

  /// Opens a connection, runs `body` with it and shuts it down on every path, thrown errors
  /// included (an HTTP client dropped without a shutdown stops the process).
  public static func with<T: Sendable>(
    configuration: UplinkConfiguration, logger: Logger, _ body: (HubConnection) async throws -> T
  ) async throws -> T {
    let connection = try HubConnection(configuration: configuration, logger: logger)
    let result: T
    do { result = try await body(connection) } catch {
      try? await connection.shutdown()
      throw error
    }
    try await connection.shutdown()
    return result
  }

  /// Sends a request; connection and protocol failures become `UplinkError(.transport)`.
  public func send(
    _ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = [],
    maxReplyBytes: Int? = nil
  ) async throws -> Reply {
    let url = configuration.hubURL.absoluteString.trimmingSuffix("/") + path
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(bytes: body))
    }
    do {
      let response = try await client.execute(
        request, timeout: .nanoseconds(Int64(configuration.requestTimeout.seconds * 1e9)), logger: logger)
      let buffer = try await response.body.collect(upTo: maxReplyBytes ?? configuration.maxReplyBytes)
      return Reply(status: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
    } catch {
      throw UplinkError(
        .transport, "The hub at \(configuration.hubURL) could not be reached or broke off: \(method) \(path).",
        cause: error)
    }
  }
}

extension String {
  func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}
