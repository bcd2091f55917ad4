// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdAuth

/// A logged-in reviewer's session (held in the hub's memory, named by the session cookie).
public struct ReviewSession: Codable, Sendable, Equatable {
  /// The reviewer's login name.
  public var reviewer: String
  /// The purpose stated at login or since; empty when it is to be stated per view.
  public var purpose: String
  /// The per-session token every POST form must carry (CSRF).
  public var csrf: String

  /// A new session with a fresh random CSRF token.
  public init(reviewer: String, purpose: String) {
    self.reviewer = reviewer
    self.purpose = purpose
    csrf = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
      .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
  }

  /// Whether `token` is this session's CSRF token (constant-time).
  public func acceptsCSRF(_ token: String?) -> Bool {
    guard let token else { return false }
    let a = Data(SHA256.hash(data: Data(token.utf8)))
    let b = Data(SHA256.hash(data: Data(csrf.utf8)))
    return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
  }
}

/// The review listener's request context: sessions and the authenticated reviewer
/// (hummingbird-auth).
public struct ReviewRequestContext: AuthRequestContext, SessionRequestContext, RequestContext {
  public var coreContext: CoreRequestContextStorage
  /// The session of a logged-in reviewer, set by `SessionAuthenticator`.
  public var identity: ReviewSession?
  /// The session storage of this request.
  public let sessions: SessionContext<ReviewSession>
  /// The peer's IP address (what logins are throttled by besides the name).
  public let remoteAddress: String

  public init(source: ApplicationRequestContextSource) {
    coreContext = .init(source: source)
    identity = nil
    sessions = .init()
    remoteAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
  }

  /// Forms are small.
  public var maxUploadSize: Int { 64 << 10 }
}

/// Headers on every review response: evidence is never cached or framed, and the pages load
/// nothing from elsewhere.
struct ReviewSecurityHeaders<Context: RequestContext>: RouterMiddleware {
  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws
    -> Response
  {
    var response: Response
    do { response = try await next(request, context) } catch let error as HTTPResponseError {
      response = try error.response(from: request, context: context)
    }
    let headers: [(String, String)] = [
      ("Cache-Control", "no-store, max-age=0"), ("Pragma", "no-cache"), ("X-Content-Type-Options", "nosniff"),
      ("X-Frame-Options", "DENY"), ("Referrer-Policy", "no-referrer"),
      ("Strict-Transport-Security", "max-age=31536000"),
      (
        "Content-Security-Policy",
        "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
      ),
    ]
    for (name, value) in headers {
      if let field = HTTPField.Name(name) { response.headers[field] = value }
    }
    return response
  }
}

/// Sends a visitor without a session to the login page (a form post gets 401).
struct ReviewLoginRequired: RouterMiddleware {
  func handle(
    _ request: Request, context: ReviewRequestContext,
    next: (Request, ReviewRequestContext) async throws -> Response
  ) async throws -> Response {
    guard context.identity != nil else {
      if request.method == .get { return Response(status: .seeOther, headers: [.location: "/login"]) }
      throw HTTPError(.unauthorized, message: "Log in first.")
    }
    return try await next(request, context)
  }
}
