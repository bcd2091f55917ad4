// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Hummingbird
import HummingbirdAuth
import HummingbirdTLS
import Logging
import Mustache
import NIOSSL

/// The officers' review pages: HTTPS with the hub's certificate, no client certificate, login by
/// reviewer name and password into an expiring session (hummingbird-auth), CSRF tokens on every
/// form, and no caching. The logic is `ReviewService`.
public struct ReviewServer: Sendable {
  /// The review logic.
  public let review: ReviewService
  let library: MustacheLibrary
  let logger: Logger

  /// Creates the pages for a hub.
  public init(hub: HubService, logger: Logger) throws {
    review = ReviewService(hub: hub)
    library = try ReviewTemplates.library()
    self.logger = logger
  }

  /// The review listener as a service (run beside the device listener); `onReady` gets its port.
  public func application(
    onReady: @escaping @Sendable (Int) async -> Void = { _ in }
  ) throws
    -> Application<RouterResponder<ReviewRequestContext>>
  {
    let settings = review.hub.configuration.review
    let sessions = MemoryPersistDriver()
    return Application(
      router: makeRouter(sessions: sessions),
      server: try .tls(
        .http1(), tlsConfiguration: HubServer.tlsConfiguration(review.hub.configuration.tls, clientCertificates: false)),
      configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "chalkline-review"),
      services: [sessions], onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
      logger: logger)
  }

  func makeRouter(sessions: some PersistDriver) -> Router<ReviewRequestContext> {
    let router = Router(context: ReviewRequestContext.self)
    let minutes = review.hub.configuration.review.sessionMinutes
    router.add(middleware: ReviewSecurityHeaders())
    router.add(
      middleware: SessionMiddleware(
        storage: sessions,
        configuration: .init(
          sessionCookieParameters: .init(name: "chalkline_review", path: "/", secure: true, sameSite: .strict),
          keyPrefix: "review.", defaultSessionExpiration: .seconds(minutes * 60))))
    let hub = review.hub
    router.add(
      middleware: SessionAuthenticator(context: ReviewRequestContext.self) { (session: ReviewSession, _) in
        // A reviewer removed from the configuration loses their sessions at the next restart.
        hub.configuration.reviewers.contains { $0.name == session.reviewer } ? session : nil
      })
    router.get("/") { _, _ in Response(status: .seeOther, headers: [.location: "/queue"]) }
    router.get("/review.css") { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/css; charset=utf-8"],
        body: .init(byteBuffer: ByteBuffer(string: ReviewTemplates.css)))
    }
    router.get("/login") { _, _ in try self.page("login", ReviewPages.login(self.purposes, message: nil)) }
    router.post("/login") { request, context in try await self.login(request, context) }
    let pages = router.group().add(middleware: ReviewLoginRequired())
    pages.post("/logout") { request, context in
      _ = try await self.form(request, context)
      context.sessions.clearSession()
      return Response(status: .seeOther, headers: [.location: "/login"])
    }
    pages.post("/purpose") { request, context in
      let form = try await self.form(request, context)
      let session = try context.requireIdentity()
      let purpose = try await self.review.requirePurpose(
        form["purpose"], actor: session.reviewer, action: "review.purpose", detail: "")
      _ = context.sessions.updateSession(ReviewSession(reviewer: session.reviewer, purpose: purpose))
      return Response(status: .seeOther, headers: [.location: "/queue"])
    }
    pages.get("/queue") { request, context in
      try await self.handling(context) { session in
        let number = request.uri.queryParameters.get("page").flatMap { Int($0) } ?? 1
        let purpose = self.viewPurpose(request, session)
        let page = try await self.review.queue(reviewer: session.reviewer, purpose: purpose, page: number)
        return try self.page("queue", ReviewPages.queue(page, chrome: self.chrome(session), purpose: purpose))
      }
    }
    pages.get("/candidates/:id") { request, context in
      try await self.handling(context) { session in
        let purpose = self.viewPurpose(request, session)
        let opened = try await self.review.open(
          try Self.candidateID(context), reviewer: session.reviewer, purpose: purpose)
        return try self.page("candidate", ReviewPages.candidate(opened, chrome: self.chrome(session), purpose: purpose))
      }
    }
    pages.get("/candidates/:id/sightings/:n/:picture") { request, context in
      try await self.handling(context) { session in
        guard let n = context.parameters.get("n").flatMap({ Int($0) }),
          let picture = context.parameters.get("picture").flatMap({ ReviewService.Picture(rawValue: $0) })
        else { throw HubError(.notFound, "No such picture.") }
        let jpeg = try await self.review.picture(
          try Self.candidateID(context), sighting: n, picture, reviewer: session.reviewer,
          purpose: self.viewPurpose(request, session))
        return Response(
          status: .ok, headers: [.contentType: "image/jpeg"], body: .init(byteBuffer: ByteBuffer(bytes: jpeg)))
      }
    }
    pages.post("/candidates/:id/decision") { request, context in
      try await self.handling(context) { session in
        let id = try Self.candidateID(context)
        let form = try await self.form(request, context)
        try await self.review.decide(
          id, try Self.action(form), reviewer: session.reviewer, purpose: form["purpose"] ?? session.purpose)
        return Response(status: .seeOther, headers: [.location: "/candidates/\(id.uuidString)"])
      }
    }
    pages.post("/export") { request, context in
      try await self.handling(context) { session in
        let form = try await self.form(request, context)
        let format = ReviewExportFormat(rawValue: form["format"] ?? "csv") ?? .csv
        let since = (form["since"]).flatMap { $0.isEmpty ? nil : UTCTime.parse($0 + "T00:00:00Z") }
        let (data, _) = try await self.review.export(
          actor: session.reviewer, purpose: form["purpose"] ?? session.purpose, format: format, since: since)
        return Response(
          status: .ok,
          headers: [
            .contentType: format.contentType,
            .contentDisposition: "attachment; filename=\"chalkline-export.\(format.rawValue)\"",
          ], body: .init(byteBuffer: ByteBuffer(bytes: data)))
      }
    }
    return router
  }

  var purposes: [String] { review.hub.configuration.purposes }

  func chrome(_ session: ReviewSession) -> [String: Any] {
    ReviewPages.chrome(session, purposes: purposes)
  }

  /// The purpose of a view: `?purpose=` when given, else the session's.
  func viewPurpose(_ request: Request, _ session: ReviewSession) -> String {
    request.uri.queryParameters.get("purpose") ?? session.purpose
  }

  func login(_ request: Request, _ context: ReviewRequestContext) async throws -> Response {
    let form = try await Self.formFields(request, context)
    let name = form["name"] ?? ""
    let refusal: (HTTPResponse.Status, String)
    switch try await review.hub.authenticate(
      name: name, password: form["password"] ?? "", address: context.remoteAddress)
    {
    case .allowed:
      let purpose = String((form["purpose"] ?? "").prefix(128))
      if !purpose.isEmpty { try await review.requirePurpose(purpose, actor: name, action: "review.login", detail: "") }
      try await review.audit(name, purpose, "review.login", "", "allowed")
      context.sessions.setSession(ReviewSession(reviewer: name, purpose: purpose))
      return Response(status: .seeOther, headers: [.location: "/queue"])
    // A wrong guess is not audited one by one; the lockout it may start is, once.
    case .failed: refusal = (.unauthorized, "Name or password wrong.")
    case .locked(let until):
      refusal = (
        .tooManyRequests,
        "Too many failed logins for this name or address; try again after \(UTCTime.format(until)) (UTC)."
      )
    case .busy: refusal = (.serviceUnavailable, "Too many logins at once; try again shortly.")
    }
    var response = try page("login", ReviewPages.login(purposes, message: refusal.1))
    response.status = refusal.0
    return response
  }

  /// Runs a page handler for the logged-in reviewer, turning hub errors into error pages.
  func handling(
    _ context: ReviewRequestContext, _ body: (ReviewSession) async throws -> Response
  ) async throws -> Response {
    let session = try context.requireIdentity()
    do { return try await body(session) } catch let error as HubError {
      let status: HTTPResponse.Status =
        switch error.code {
        case .purpose: .forbidden
        case .conflict: .conflict
        case .notFound: .notFound
        case .invalid: .badRequest
        default: .internalServerError
        }
      if status == .internalServerError {
        logger.error("Review page failed.", metadata: ["hub.error": "\(error.code)"])
      }
      let message = status == .internalServerError ? "The hub failed; the operator's log says why." : error.message
      var response = try page("error", ReviewPages.error(status, message, chrome: chrome(session)))
      response.status = status
      return response
    }
  }

  /// The fields of a POST form whose CSRF token matches the session's.
  func form(_ request: Request, _ context: ReviewRequestContext) async throws -> [String: String] {
    let form = try await Self.formFields(request, context)
    guard let session = context.identity, session.acceptsCSRF(form["csrf"]) else {
      try await review.audit(
        context.identity?.reviewer ?? "", context.identity?.purpose ?? "", "review.form",
        "path=\(request.uri.path)", "denied: CSRF token missing or wrong")
      throw HTTPError(.forbidden, message: "The form's CSRF token is missing or wrong; reload the page.")
    }
    return form
  }

  static func formFields(_ request: Request, _ context: ReviewRequestContext) async throws -> [String: String] {
    let body = try await request.body.collect(upTo: context.maxUploadSize)
    return formFields(body: String(buffer: body))
  }

  /// The fields of an `application/x-www-form-urlencoded` body (a field given twice: the last).
  static func formFields(body: String) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in body.split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      func decode(_ s: Substring) -> String {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
      }
      fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
    }
    return fields
  }

  static func candidateID(_ context: ReviewRequestContext) throws -> UUID {
    guard let id = context.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
      throw HubError(.notFound, "No such candidate.")
    }
    return id
  }

  static func action(_ form: [String: String]) throws -> ReviewService.Action {
    let note = String((form["note"] ?? "").prefix(500))
    switch form["action"] {
    case "accept": return .accept
    case "reject":
      guard let reason = form["reason"].flatMap(ReviewDecision.Reason.init(rawValue:)) else {
        throw HubError(.invalid, "Choose a reason: misread, moved, has permit or other.")
      }
      return .reject(reason, note: note)
    case "correct":
      guard let plate = form["plate"].flatMap(TypedPlate.init) else {
        throw HubError(.invalid, "The corrected plate text must be 1 to 8 letters and digits.")
      }
      return .correct(plate, note: note)
    default: throw HubError(.invalid, "Choose accept, reject or correct.")
    }
  }

  func page(_ name: String, _ data: [String: Any]) throws -> Response {
    guard let html = library.render(data, withTemplate: name) else {
      throw HubError(.invalid, "The review template \(name) is missing.")
    }
    return Response(
      status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
      body: .init(byteBuffer: ByteBuffer(string: html)))
  }
}
