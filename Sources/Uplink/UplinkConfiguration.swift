// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// How the vehicle reaches its hub. The agent fills it from the device profile.
public struct UplinkConfiguration: Sendable {
  /// The hub's base URL, `https://hub.example:8443`.
  public var hubURL: URL
  /// The device's client certificate chain (PEM), issued by the city's CA.
  public var certificatePath: String
  /// The client certificate's private key (PEM).
  public var privateKeyPath: String
  /// The CA certificate(s) the hub's certificate must chain to (PEM).
  public var trustedCAPath: String
  /// The hub's Ed25519 key that signs distributed documents (from the keyring).
  public var hubSigningKey: Curve25519.Signing.PublicKey
  /// Where verified distributed documents are kept between restarts.
  public var cacheDirectory: URL
  /// Candidates per batch (default 50).
  public var batchSize: Int
  /// Largest batch body, bytes (default 8 MiB): a batch stops growing at this size.
  public var maxBatchBytes: Int
  /// Timeout for connecting (default 10 s).
  public var connectTimeout: Duration
  /// Timeout for one request, start to end (default 60 s).
  public var requestTimeout: Duration
  /// Largest reply accepted, bytes (default 4 MiB for acknowledgements, 64 MiB for documents).
  public var maxReplyBytes: Int
  /// Delays between failed attempts.
  public var backoff: Backoff
  /// Time between sync passes while everything succeeds (default 30 s).
  public var interval: Duration
  /// Time between checks for new documents (default 15 min).
  public var documentInterval: Duration

  /// Creates a configuration with the documented defaults.
  public init(
    hubURL: URL, certificatePath: String, privateKeyPath: String, trustedCAPath: String,
    hubSigningKey: Curve25519.Signing.PublicKey, cacheDirectory: URL, batchSize: Int = 50,
    maxBatchBytes: Int = 8 << 20, connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(60),
    maxReplyBytes: Int = 64 << 20, backoff: Backoff = Backoff(), interval: Duration = .seconds(30),
    documentInterval: Duration = .seconds(900)
  ) {
    self.hubURL = hubURL
    self.certificatePath = certificatePath
    self.privateKeyPath = privateKeyPath
    self.trustedCAPath = trustedCAPath
    self.hubSigningKey = hubSigningKey
    self.cacheDirectory = cacheDirectory
    self.batchSize = batchSize
    self.maxBatchBytes = maxBatchBytes
    self.connectTimeout = connectTimeout
    self.requestTimeout = requestTimeout
    self.maxReplyBytes = maxReplyBytes
    self.backoff = backoff
    self.interval = interval
    self.documentInterval = documentInterval
  }
}
