// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServerSupport
import UnixSignals
import Wire

/// The hub on the network: HTTPS with mutual TLS. Every client must present a certificate issued
/// by the configured CA; device routes additionally require that certificate to be registered.
public struct HubServer: Sendable {
  /// The logic behind the routes.
  public let service: HubService
  let logger: Logger
  let middlewares: [any MiddlewareProtocol<Request, Response, HubRequestContext>]
  /// Who started the hub, as the start is audited (`os:LOGIN` for `serve`).
  let startedBy: String

  /// Creates a server. `middlewares` run before the routes (tests inject faults with them).
  public init(
    service: HubService, logger: Logger,
    middlewares: [any MiddlewareProtocol<Request, Response, HubRequestContext>] = [],
    startedBy: String = OperatorIdentity.current
  ) {
    self.service = service
    self.logger = logger
    self.middlewares = middlewares
    self.startedBy = startedBy
  }

  /// The server's TLS configuration: the hub's certificate, and client certificates required and
  /// verified against the city's CA (an expired or foreign certificate fails the handshake); with
  /// `clientCertificates` false (the review pages' browsers) none is asked for.
  public static func tlsConfiguration(
    _ tls: HubConfiguration.TLS, clientCertificates: Bool = true
  ) throws
    -> TLSConfiguration
  {
    do {
      let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map { NIOSSLCertificateSource.certificate($0) }
      let key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
      var configuration = TLSConfiguration.makeServerConfiguration(
        certificateChain: chain, privateKey: .privateKey(key))
      configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(tls.clientCa))
      configuration.certificateVerification = clientCertificates ? .noHostnameVerification : .none
      configuration.minimumTLSVersion = .tlsv12
      return configuration
    } catch {
      throw HubError(
        .tls, "The hub's TLS files (\(tls.certificate), \(tls.privateKey), \(tls.clientCa)) cannot be used as PEM.",
        cause: error)
    }
  }

  /// Audits the start (configuration, reviewer changes, a checkpoint), publishes documents, then serves the device API and, beside it, the officers' review pages
  /// (`ReviewServer`) until cancelled (or, with `handleSignals`, until SIGTERM or SIGINT).
  /// `onReady` receives the device listener's bound port, `onReviewReady` the review listener's.
  public func run(
    handleSignals: Bool = false, onReady: @escaping @Sendable (Int) async -> Void = { _ in },
    onReviewReady: @escaping @Sendable (Int) async -> Void = { _ in }
  ) async throws {
    try await service.recordStart(actor: startedBy)
    try await service.publishAll(actor: startedBy)
    let configuration = service.configuration
    // Checkpoints every hour beside the server; leaving this scope cancels them.
    async let _ = service.hourlyCheckpoints()
    let review = try ReviewServer(hub: service, logger: logger).application(onReady: onReviewReady)
    let app = Application(
      router: makeRouter(),
      server: try .tls(.http1(), tlsConfiguration: Self.tlsConfiguration(configuration.tls)),
      configuration: .init(address: .hostname(configuration.listen.host, port: configuration.listen.port)),
      services: [review],
      onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
      logger: logger)
    try await GracefulServer.run(app, signals: handleSignals ? [.sigterm, .sigint] : [], logger: logger)
  }

  func makeRouter() -> Router<HubRequestContext> {
    let router = Router(context: HubRequestContext.self)
    for middleware in middlewares { router.add(middleware: middleware) }
    let service = self.service
    router.get(RouterPath(stringLiteral: UplinkAPI.health)) { _, _ in "ok" }
    router.post(RouterPath(stringLiteral: UplinkAPI.candidateBatches)) { request, context in
      let device = try await Self.requireDevice(context, service)
      let body = try await request.body.collect(upTo: service.configuration.maxBatchBytes)
      let batch: CandidateBatch
      do { batch = try UplinkAPI.decoder().decode(CandidateBatch.self, from: Data(body.readableBytesView)) } catch {
        throw HTTPError(.badRequest, message: "The body is not a version-1 candidate batch.")
      }
      do { return try Self.json(await service.ingest(batch, from: device)) } catch let error as HubError
        where error.code == .invalid
      {
        throw HTTPError(.badRequest, message: error.message)
      }
    }
    router.post(RouterPath(stringLiteral: UplinkAPI.aggregates)) { request, context in
      let device = try await Self.requireDevice(context, service)
      let body = try await request.body.collect(upTo: 8 << 20)
      guard let batch = try? UplinkAPI.decoder().decode(AggregateBatch.self, from: Data(body.readableBytesView)) else {
        throw HTTPError(.badRequest, message: "The body is not a version-1 aggregate batch.")
      }
      do { try IngestValidation.check(aggregates: batch) } catch {
        throw HTTPError(.badRequest, message: "The aggregate batch is refused, nothing of it stored: \(error)")
      }
      try await service.storage.storeAggregates(batch.aggregates, device: device.id, receivedAt: Date())
      return try Self.json(AggregateAcknowledgement(stored: batch.aggregates.count))
    }
    router.get("/v1/distribution/:kind") { request, context in
      _ = try await Self.requireDevice(context, service)
      guard let kind = context.parameters.get("kind").flatMap(DistributionKind.init(rawValue:)) else {
        throw HTTPError(.notFound, message: "Unknown document kind.")
      }
      guard let document = try await service.storage.latestDocument(kind) else {
        throw HTTPError(.notFound, message: "The hub has no \(kind.rawValue) document.")
      }
      let tag = "\"\(document.version)\""
      if request.headers[.ifNoneMatch] == tag { return Response(status: .notModified, headers: [.eTag: tag]) }
      var response = try Self.json(document)
      response.headers[.eTag] = tag
      return response
    }
    router.get(RouterPath(stringLiteral: UplinkAPI.auditCheckpoint)) { _, context in
      _ = try await Self.requireDevice(context, service)
      guard let checkpoint = try await service.latestCheckpoint() else {
        throw HTTPError(.notFound, message: "The hub has written no audit checkpoint yet.")
      }
      return try Self.json(checkpoint)
    }
    router.get(RouterPath(stringLiteral: UplinkAPI.candidates)) { request, context in
      try await Self.reviewCandidates(request, context, service)
    }
    return router
  }

  /// `GET /v1/candidates`: one page of the review queue (pending only) for a reviewer whose
  /// login the guard lets through, with a purpose; refusals of purpose are audited, lockouts once.
  static func reviewCandidates(
    _ request: Request, _ context: HubRequestContext, _ service: HubService
  ) async throws -> Response {
    let address = context.channel.remoteAddress?.ipAddress ?? "unknown"
    let (name, password) = Self.basicCredentials(request) ?? ("", "")
    switch try await service.authenticate(name: name, password: password, address: address) {
    case .allowed: break
    case .failed:
      return Response(
        status: .unauthorized, headers: [.wwwAuthenticate: "Basic realm=\"chalkline-hub\""],
        body: .init(byteBuffer: ByteBuffer(string: "{\"error\":\"reviewer name or password wrong\"}")))
    case .locked(let until):
      throw HTTPError(
        .tooManyRequests, headers: [.retryAfter: "\(max(1, Int(until.timeIntervalSinceNow.rounded(.up))))"],
        message: "Too many failed logins; locked out until \(UTCTime.format(until)).")
    case .busy:
      throw HTTPError(.serviceUnavailable, message: "Too many logins at once; try again shortly.")
    }
    let query = request.uri.queryParameters
    let purpose = query.get("purpose").map { String($0.prefix(128)) }
    if let state = query.get("review_state"), state != "pending" {
      try await service.audit(
        actor: name, purpose: purpose ?? "", action: "candidates.list", detail: "review_state=\(state.prefix(32))",
        outcome: "denied: only pending candidates are served")
      throw HTTPError(
        .badRequest, message: "Only pending candidates are served here; decided ones leave through the exports.")
    }
    do {
      return try Self.json(
        await service.reviewCandidates(
          reviewer: name, purpose: purpose, page: query.get("page").flatMap { Int($0) } ?? 1,
          limit: query.get("limit").flatMap { Int($0) } ?? service.configuration.maxCandidatesPerRequest))
    } catch let error as HubError where error.code == .purpose {
      throw HTTPError(purpose?.isEmpty ?? true ? .badRequest : .forbidden, message: error.message)
    }
  }

  static func requireDevice(_ context: HubRequestContext, _ service: HubService) async throws -> DeviceRecord {
    guard let fingerprint = try await context.clientCertificateSHA256(),
      let device = try await service.storage.device(certificateSHA256: fingerprint)
    else {
      throw HTTPError(
        .forbidden, message: "This client certificate is not registered to a device (chalkline-hub devices add).")
    }
    return device
  }

  static func basicCredentials(_ request: Request) -> (String, String)? {
    guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic "),
      let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
      let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
    else { return nil }
    return (String(text[..<colon]), String(text[text.index(after: colon)...]))
  }

  static func json(_ value: some Encodable) throws -> Response {
    let data = try UplinkAPI.encoder().encode(value)
    return Response(
      status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
  }
}
