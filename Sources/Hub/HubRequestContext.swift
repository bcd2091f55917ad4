// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Hummingbird
import NIOCore
import NIOSSL

/// The hub's request context: Hummingbird's core context plus the connection, so that a route
/// can read the client certificate presented in the TLS handshake.
public struct HubRequestContext: RequestContext {
  public var coreContext: CoreRequestContextStorage
  /// The connection the request came on.
  public let channel: any Channel

  public init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    channel = source.channel
  }

  /// Request bodies are limited per route (`collect(upTo:)`), not here.
  public var maxUploadSize: Int { 64 << 20 }

  /// SHA-256 (hex) of the client certificate (DER) the peer presented and TLS verified.
  public func clientCertificateSHA256() async throws -> String? {
    guard let certificate = try await channel.nioSSL_peerCertificate().get() else { return nil }
    return Data(SHA256.hash(data: try certificate.toDERBytes())).hexString
  }
}
