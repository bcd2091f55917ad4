// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// The upstream protocol's paths and shared JSON settings. Every path carries its version; a
/// change that breaks an existing client gets a new version, never an edit of `/v1`.
public enum UplinkAPI {
  /// `POST`: a `CandidateBatch`; answers a `BatchAcknowledgement`.
  public static let candidateBatches = "/v1/candidate-batches"
  /// `POST`: an `AggregateBatch`; answers an `AggregateAcknowledgement`.
  public static let aggregates = "/v1/aggregates"
  /// `GET`: a `SignedDocument`; `If-None-Match` with the version held gives `304`.
  public static func distribution(_ kind: DistributionKind) -> String { "/v1/distribution/\(kind.rawValue)" }
  /// `GET`: reviewers only (basic authentication and `?purpose=`): opened candidates as JSON.
  public static let candidates = "/v1/candidates"
  /// `GET`: liveness, no authentication beyond the TLS handshake.
  public static let health = "/v1/health"
  /// `GET`: the hub's newest signed audit checkpoint (`AuditCheckpoint`), for a registered device.
  public static let auditCheckpoint = "/v1/audit-checkpoint"

  /// The JSON encoder every wire type is written with: snake case, sorted keys, base64 data,
  /// ISO 8601 times with milliseconds.
  public static func encoder() -> JSONEncoder {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.dataEncodingStrategy = .base64
    encoder.dateEncodingStrategy = .custom { date, encoder in
      var container = encoder.singleValueContainer()
      try container.encode(UTCTime.format(date))
    }
    return encoder
  }

  /// The JSON decoder for every wire type (the counterpart of `encoder()`).
  public static func decoder() -> JSONDecoder {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    decoder.dataDecodingStrategy = .base64
    decoder.dateDecodingStrategy = .custom { decoder in
      let container = try decoder.singleValueContainer()
      let text = try container.decode(String.self)
      guard let date = UTCTime.parse(text) else {
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an ISO 8601 time: \(text)")
      }
      return date
    }
    return decoder
  }
}
