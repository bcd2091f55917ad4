// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import HubOversight

/// The hub's configuration, a JSON file (`chalkline-hub serve --config H`). Relative paths are
/// taken from the file's directory. Every key:
///
/// ```json
/// {
///   "listen": {"host": "0.0.0.0", "port": 8443},            // default 127.0.0.1:8443
///   "tls": {"certificate": "hub.pem", "private_key": "hub.key", "client_ca": "ca.pem"},
///   "database": "hub.sqlite",                                // default hub.sqlite
///   "keys_directory": "keys",                                // default keys (chalkline-hub keys init)
///   "distribution_directory": "distribution",                // zones.json, permits.json; default distribution
///   "reviewers": [{"name": "officer1", "password_hash": "pbkdf2-sha256$…"}],  // chalkline-hub reviewers hash-password
///   "purposes": ["citation review", "appeal", "privacy audit"],  // default these three
///   "max_batch_bytes": 33554432,                             // default 32 MiB
///   "max_candidates_per_request": 50,                        // default 50, at most 200
///   "review": {"host": "127.0.0.1", "port": 8444, "session_minutes": 30},  // officers' pages; these defaults
///   "login": {"max_failures_per_name": 5, "max_failures_per_address": 20, "window_minutes": 15,
///             "lockout_minutes": 15, "max_checks_in_flight": 8},  // defaults
///   "retention": {"closed_citation_years": 5, "open_citation_years": 7, "rejected_days": 30, "batch_size": 500, "daily": true}  // defaults; "pending_days" off
/// }
/// ```
public struct HubConfiguration: Sendable, Codable {
  /// Where to listen.
  public struct Listen: Sendable, Codable {
    /// Address to bind (default 127.0.0.1).
    public var host: String = "127.0.0.1"
    /// Port (default 8443; 0 picks a free one).
    public var port: Int = 8443
    /// Creates a listen address.
    public init(host: String = "127.0.0.1", port: Int = 8443) {
      self.host = host
      self.port = port
    }

    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      host = try c.decodeIfPresent(String.self, forKey: .host) ?? "127.0.0.1"
      port = try c.decodeIfPresent(Int.self, forKey: .port) ?? 8443
    }

    enum CodingKeys: String, CodingKey { case host, port }
  }

  /// The hub's TLS files (PEM).
  public struct TLS: Sendable, Codable {
    /// The hub's certificate chain.
    public var certificate: String
    /// The hub certificate's private key.
    public var privateKey: String
    /// The CA that issues device (and reviewer workstation) certificates.
    public var clientCa: String
    /// Creates TLS settings.
    public init(certificate: String, privateKey: String, clientCa: String) {
      self.certificate = certificate
      self.privateKey = privateKey
      self.clientCa = clientCa
    }
  }

  /// A reviewer allowed to call `GET /v1/candidates`.
  public struct Reviewer: Sendable, Codable {
    /// Login name.
    public var name: String
    /// `PasswordHash` string.
    public var passwordHash: String
    /// Creates a reviewer.
    public init(name: String, passwordHash: String) {
      self.name = name
      self.passwordHash = passwordHash
    }
  }

  public var listen: Listen
  public var tls: TLS
  public var database: String
  public var keysDirectory: String
  public var distributionDirectory: String
  public var reviewers: [Reviewer]
  public var purposes: [String]
  public var maxBatchBytes: Int
  public var maxCandidatesPerRequest: Int
  /// Evidence retention and the daily job `serve` runs (`HubRetention`); defaults when absent.
  public var retention = RetentionPolicy()
  /// The officers' review pages (their own HTTPS listener, no client certificate).
  public var review: Review
  /// Login throttling and lockout for the review pages and `GET /v1/candidates`.
  public var login = LoginGuard.Policy()
  /// Whether ingest still takes evidence sealed before format v3 (v1, v2: bound to its candidate by
  /// the signed manifest only), audited as such: the transition while vehicles' outboxes hold it.
  public var acceptEvidenceBeforeV3 = true

  /// Creates a configuration; paths should be absolute.
  public init(
    listen: Listen = Listen(), tls: TLS, database: String, keysDirectory: String, distributionDirectory: String,
    reviewers: [Reviewer] = [], purposes: [String] = Self.defaultPurposes, maxBatchBytes: Int = 32 << 20,
    maxCandidatesPerRequest: Int = 50, review: Review = Review(), login: LoginGuard.Policy = .init()
  ) {
    self.listen = listen
    self.tls = tls
    self.database = database
    self.keysDirectory = keysDirectory
    self.distributionDirectory = distributionDirectory
    self.reviewers = reviewers
    self.purposes = purposes
    self.maxBatchBytes = maxBatchBytes
    self.maxCandidatesPerRequest = maxCandidatesPerRequest
    self.review = review
    self.login = login
  }

  /// The purposes allowed when none are configured.
  public static let defaultPurposes = ["citation review", "appeal", "privacy audit"]

  enum CodingKeys: String, CodingKey {
    case listen, tls, database, keysDirectory, distributionDirectory, reviewers, purposes, maxBatchBytes
    case retention
    case maxCandidatesPerRequest, review, login
    case acceptEvidenceBeforeV3
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    listen = try c.decodeIfPresent(Listen.self, forKey: .listen) ?? Listen()
    tls = try c.decode(TLS.self, forKey: .tls)
    database = try c.decodeIfPresent(String.self, forKey: .database) ?? "hub.sqlite"
    keysDirectory = try c.decodeIfPresent(String.self, forKey: .keysDirectory) ?? "keys"
    distributionDirectory = try c.decodeIfPresent(String.self, forKey: .distributionDirectory) ?? "distribution"
    reviewers = try c.decodeIfPresent([Reviewer].self, forKey: .reviewers) ?? []
    purposes = try c.decodeIfPresent([String].self, forKey: .purposes) ?? Self.defaultPurposes
    maxBatchBytes = try c.decodeIfPresent(Int.self, forKey: .maxBatchBytes) ?? 32 << 20
    maxCandidatesPerRequest = try c.decodeIfPresent(Int.self, forKey: .maxCandidatesPerRequest) ?? 50
    retention = try c.decodeIfPresent(RetentionPolicy.self, forKey: .retention) ?? RetentionPolicy()
    review = try c.decodeIfPresent(Review.self, forKey: .review) ?? Review()
    login = try c.decodeIfPresent(LoginGuard.Policy.self, forKey: .login) ?? LoginGuard.Policy()
    acceptEvidenceBeforeV3 = try c.decodeIfPresent(Bool.self, forKey: .acceptEvidenceBeforeV3) ?? true
  }

  /// Loads and validates a configuration file, resolving relative paths against its directory.
  public static func load(path: String) throws -> HubConfiguration {
    let url = URL(fileURLWithPath: path)
    let data: Data
    do { data = try Data(contentsOf: url) } catch {
      throw HubError(.configuration, "The hub configuration \(path) cannot be read.", cause: error)
    }
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    var configuration: HubConfiguration
    do { configuration = try decoder.decode(HubConfiguration.self, from: data) } catch {
      throw HubError(
        .configuration, "\(path) is not a valid hub configuration (see docs/hub.md for every key).",
        cause: error)
    }
    let base = url.deletingLastPathComponent()
    func resolve(_ p: String) -> String { p.hasPrefix("/") ? p : base.appendingPathComponent(p).path }
    configuration.tls.certificate = resolve(configuration.tls.certificate)
    configuration.tls.privateKey = resolve(configuration.tls.privateKey)
    configuration.tls.clientCa = resolve(configuration.tls.clientCa)
    configuration.database = resolve(configuration.database)
    configuration.keysDirectory = resolve(configuration.keysDirectory)
    configuration.distributionDirectory = resolve(configuration.distributionDirectory)
    var problems: [String] = []
    if !(0...65535).contains(configuration.listen.port) { problems.append("listen.port: must be 0…65535") }
    problems += configuration.review.problems
    problems += configuration.retention.problems
    if configuration.purposes.isEmpty { problems.append("purposes: must list at least one purpose") }
    for reviewer in configuration.reviewers where PasswordHash(encoded: reviewer.passwordHash) == nil {
      problems.append(
        "reviewers.\(reviewer.name).password_hash: not a hash from `chalkline-hub reviewers hash-password`")
    }
    problems += configuration.login.problems
    if !(1024...(256 << 20)).contains(configuration.maxBatchBytes) {
      problems.append("max_batch_bytes: must be 1024…268435456")
    }
    if !(1...200).contains(configuration.maxCandidatesPerRequest) {
      problems.append("max_candidates_per_request: must be 1…200")
    }
    for reviewer in configuration.reviewers where !(1...LoginGuard.maxNameLength).contains(reviewer.name.count) {
      problems.append("reviewers: the name \(reviewer.name.prefix(70)) must be 1…64 characters")
    }
    guard problems.isEmpty else {
      throw HubError(.configuration, "\(path): " + problems.joined(separator: "; "))
    }
    return configuration
  }
}
