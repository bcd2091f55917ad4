// SPDX-License-Identifier: AGPL-3.0-or-later
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// A minimal client of the review pages, as a browser without JavaScript would use them: it keeps
/// the session cookie, follows no redirects and trusts one CA. For benchmarks and tests.
public final class ReviewClient: Sendable {
  /// An answer.
  public struct Reply: Sendable {
    /// HTTP status.
    public var status: Int
    /// Headers.
    public var headers: HTTPHeaders
    /// Body.
    public var body: Data
    /// The body as text.
    public var text: String { String(decoding: body, as: UTF8.self) }
  }

  let client: HTTPClient
  let base: String
  let cookie = Mutex<String?>(nil)

  /// Runs `body` with a client of `https://127.0.0.1:PORT` that trusts `caPath`, shut down after.
  public static func with<T: Sendable>(
    port: Int, caPath: String, _ body: (ReviewClient) async throws -> T
  ) async throws -> T {
    var tls = TLSConfiguration.makeClientConfiguration()
    tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caPath))
    var configuration = HTTPClient.Configuration(tlsConfiguration: tls, redirectConfiguration: .disallow)
    configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
    let client = ReviewClient(
      client: HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration),
      base: "https://127.0.0.1:\(port)")
    do {
      let result = try await body(client)
      try await client.client.shutdown()
      return result
    } catch {
      try? await client.client.shutdown()
      throw error
    }
  }

  init(client: HTTPClient, base: String) {
    self.client = client
    self.base = base
  }

  /// The session cookie (`name=value`), once logged in.
  public var sessionCookie: String? { cookie.withLock { $0 } }

  /// GET `path`.
  public func get(_ path: String) async throws -> Reply { try await send(.GET, path, form: nil) }

  /// POSTs a URL-encoded form to `path`.
  public func post(_ path: String, form: [(String, String)]) async throws -> Reply {
    try await send(.POST, path, form: form)
  }

  /// Logs in; true when the hub answered with a session.
  public func login(name: String, password: String, purpose: String) async throws -> Bool {
    let reply = try await post("/login", form: [("name", name), ("password", password), ("purpose", purpose)])
    return reply.status == 303 && sessionCookie != nil
  }

  /// The CSRF token of a page's forms.
  public static func csrf(in html: String) -> String? {
    guard let range = html.range(of: "name=\"csrf\" value=\"") else { return nil }
    return String(html[range.upperBound...].prefix { $0 != "\"" })
  }

  func send(_ method: HTTPMethod, _ path: String, form: [(String, String)]?) async throws -> Reply {
    var request = HTTPClientRequest(url: base + path)
    request.method = method
    if let cookie = sessionCookie { request.headers.add(name: "Cookie", value: cookie) }
    if let form {
      var allowed = CharacterSet.alphanumerics
      allowed.insert(charactersIn: "-._~")
      let body = form.map { name, value in
        "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
      }.joined(separator: "&")
      request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
      request.body = .bytes(ByteBuffer(string: body))
    }
    let response = try await client.execute(request, timeout: .seconds(60))
    let body = try await response.body.collect(upTo: 64 << 20)
    for header in response.headers["Set-Cookie"] {
      let pair = String(header.prefix { $0 != ";" })
      // An expired cookie (logout) clears the session.
      let value = pair.drop { $0 != "=" }.dropFirst()
      cookie.withLock { $0 = header.contains("Max-Age=0") || value.isEmpty ? nil : pair }
    }
    return Reply(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
  }
}
