// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation
import Wire

@testable import Hub

/// The hub's ingest bodies through decoding and validation (the signature check is the step
/// before: a hostile device holds a valid key), then what the hub stores of a manifest through
/// the review pages and the candidates feed, as every page load renders it.
/// The first byte picks the body: a candidate batch, one manifest, an aggregate batch.
enum FuzzHubIngest {
  /// The hub's clock for the time bounds.
  static let now = Date(timeIntervalSince1970: 1_772_442_000)

  static func run(_ input: Data) {
    guard let mode = input.first else { return }
    let body = Data(input.dropFirst())
    switch mode % 3 {
    case 0:
      guard let batch = try? UplinkAPI.decoder().decode(CandidateBatch.self, from: body),
        (try? IngestValidation.check(batch: batch)) != nil
      else { return }
      for wire in batch.candidates {
        guard let manifest = try? WireManifest.decode(wire.manifest) else { continue }
        accept(manifest, wire: wire)
      }
    case 1:
      guard let manifest = try? WireManifest.decode(body) else { return }
      let evidence = manifest.sightings.map {
        WireEvidence(
          id: $0.evidenceId, capturedAt: now, plateSha256: Data(count: 32), vehicleSha256: Data(count: 32),
          encapsulatedKey: Data(count: 32), ciphertext: Data(count: 64))
      }
      accept(manifest, wire: WireCandidate(id: manifest.id, manifest: body, signature: Data(), evidence: evidence))
    default:
      guard let batch = try? UplinkAPI.decoder().decode(AggregateBatch.self, from: body),
        (try? IngestValidation.check(aggregates: batch, now: now)) != nil
      else { return }
      _ = try? UplinkAPI.encoder().encode(batch)
    }
  }

  /// Validation, then the pages: over an accepted manifest, and over a refused one too, as rows
  /// stored before the bounds existed hold anything and must not trap a page either.
  static func accept(_ m: WireManifest, wire: WireCandidate) {
    _ = try? IngestValidation.check(m, wire: wire, now: now)
    // Stored as the hub stores it (the manifest bytes decoded again on every load), then shown.
    guard let stored = try? WireManifest.decode(wire.manifest) else {
      contractBroken("a stored manifest no longer decodes")
    }
    let candidate = StoredCandidate(
      id: m.id, device: m.device, rule: m.rule, zone: m.zone, manifest: stored, receivedAt: now,
      reviewState: "pending", evidence: wire.evidence)
    let opened = ReviewService.Opened(
      candidate: candidate, captures: [], decision: nil, correctedText: nil, zone: nil, deviceName: nil)
    _ = ReviewPages.candidate(opened, chrome: [:], purpose: "enforcement")
    let row = ReviewQueueRow(
      id: m.id, device: m.device, rule: m.rule, zone: m.zone, receivedAt: now, decidedAt: m.decidedAt,
      elapsedS: stored.elapsedSeconds, readConfidence: stored.readConfidence)
    _ = ReviewPages.queue(
      ReviewService.QueuePage(rows: [row], total: 1, page: 1, pageCount: 1), chrome: [:], purpose: "enforcement")
    for evidence in wire.evidence { _ = UTCTime.format(evidence.capturedAt) }
    // `GET /v1/candidates` and the export encode what was derived.
    let feed = ReviewCandidate(
      id: m.id, device: m.device, rule: m.rule, zone: m.zone, plateText: "", plateAlternatives: [],
      reviewState: "pending", decidedAt: m.decidedAt, receivedAt: now, elapsedS: stored.elapsedSeconds,
      distanceM: stored.distanceMeters, readConfidence: stored.readConfidence,
      sightings: stored.sightings.map {
        ReviewCandidate.Sighting(
          time: $0.time, latitude: $0.latitude, longitude: $0.longitude, uncertaintyM: $0.uncertaintyM, plateText: nil)
      })
    _ = try? UplinkAPI.encoder().encode([feed])
  }
}
