// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Logging
import NIOHTTP1
import Wire

extension UplinkSync {
  /// Fetches every document kind that changed (`If-None-Match` with the version held), verifies
  /// its signature and version, stores it, and hands it to `onDocument`. Returns the kinds updated.
  public func refreshDocuments() async throws -> [DistributionKind] {
    var updated: [DistributionKind] = []
    // Keys first: a new signing key must be known before documents signed with it arrive.
    for kind in [DistributionKind.keys, .zones, .permits] {
      var headers: [(String, String)] = []
      if let held = cache.document(kind) { headers.append(("If-None-Match", "\"\(held.version)\"")) }
      let reply = try await connection.send(.GET, UplinkAPI.distribution(kind), headers: headers)
      switch reply.status {
      case 304, 404:
        continue
      case 200:
        let document: SignedDocument
        do { document = try UplinkAPI.decoder().decode(SignedDocument.self, from: reply.body) } catch {
          throw UplinkError(.badReply, "The hub's \(kind.rawValue) document cannot be decoded.", cause: error)
        }
        if try cache.accept(document, expected: kind) {
          try await onDocument(document)
          updated.append(kind)
          logger.notice(
            "A new document from the hub was verified and applied.",
            metadata: ["uplink.kind": "\(kind.rawValue)", "uplink.version": "\(document.version)"])
        }
      default:
        throw UplinkError(
          .status, "The hub answered \(reply.status) for the \(kind.rawValue) document\(Self.hint(reply.status)).")
      }
    }
    let versions = cache.versions
    status.update { status in
      status.documentVersions = Dictionary(uniqueKeysWithValues: versions.map { ($0.key.rawValue, $0.value) })
    }
    return updated
  }

  /// Fetches the hub's newest audit checkpoint and keeps it when it verifies with the audit key of
  /// the signed keys document and agrees with those held (`HubCheckpointStore`). A hub that sends
  /// none (404, or no audit key in its keys document) is skipped. One that contradicts what is held
  /// (its audit cut or rewritten) is refused: logged as critical and shown in the status, while
  /// candidates keep syncing, since stopping would keep evidence on the vehicle without helping.
  public func refreshCheckpoint() async throws {
    guard
      let keys = cache.document(.keys).flatMap({ try? UplinkAPI.decoder().decode(HubPublicKeys.self, from: $0.body) }),
      let raw = keys.auditPublicKey, let auditKey = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
    else { return }
    let reply = try await connection.send(.GET, UplinkAPI.auditCheckpoint, maxReplyBytes: 1 << 16)
    switch reply.status {
    case 404: return
    case 200: break
    default:
      throw UplinkError(.status, "The hub answered \(reply.status) for its audit checkpoint\(Self.hint(reply.status)).")
    }
    let checkpoint: AuditCheckpoint
    do { checkpoint = try UplinkAPI.decoder().decode(AuditCheckpoint.self, from: reply.body) } catch {
      throw UplinkError(.badReply, "The hub's audit checkpoint cannot be decoded.", cause: error)
    }
    do {
      if try checkpoints.accept(checkpoint, auditKey: auditKey) {
        logger.info(
          "The hub's audit checkpoint was verified and kept.",
          metadata: [
            "uplink.checkpoint.sequence": "\(checkpoint.sequence)", "uplink.checkpoint.at": "\(checkpoint.at)",
          ])
      }
      status.update {
        $0.hubCheckpoint = "\(checkpoint.sequence) entries at \(checkpoint.at)"
        $0.hubAuditProblem = nil
      }
    } catch let error as UplinkError where error.code == .hubAudit || error.code == .badSignature {
      logger.critical(
        "The hub's audit checkpoint contradicts those this vehicle holds.", metadata: ["error": "\(error.message)"])
      status.update { $0.hubAuditProblem = error.message }
    }
  }

  func syncAggregates(_ source: any UplinkAggregateSource, _ report: inout Report) async throws {
    let pending: [WireAggregate]
    do { pending = try await source.unsyncedAggregates() } catch {
      throw UplinkError(.local, "The aggregates cannot be read.", cause: error)
    }
    guard !pending.isEmpty else { return }
    let body = try UplinkAPI.encoder().encode(AggregateBatch(aggregates: pending))
    let reply = try await connection.send(.POST, UplinkAPI.aggregates, body: body, maxReplyBytes: 1 << 16)
    report.bytesSent += body.count
    report.bytesReceived += reply.body.count
    guard reply.status == 200 else {
      throw UplinkError(.status, "The hub answered \(reply.status) to aggregates\(Self.hint(reply.status)).")
    }
    guard let ack = try? UplinkAPI.decoder().decode(AggregateAcknowledgement.self, from: reply.body),
      ack.stored == pending.count
    else { throw UplinkError(.badReply, "The hub's reply to aggregates is not an acknowledgement of all of them.") }
    do { try await source.markSynced(pending) } catch {
      throw UplinkError(.local, "Aggregates could not be marked synced.", cause: error)
    }
  }
}
