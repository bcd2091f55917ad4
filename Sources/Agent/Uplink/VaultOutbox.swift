// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Logging
import Uplink
import Vault
import Wire

/// The vault's outbox and aggregates as the uplink sees them.
public struct VaultOutbox: UplinkOutbox, UplinkAggregateSource {
  /// The vault.
  public let vault: Vault

  /// Wraps an open vault.
  public init(vault: Vault) { self.vault = vault }

  public func pending(limit: Int) async throws -> [WireCandidate] {
    try await vault.pendingCandidates(limit: limit).map(WireCandidate.init(outbox:))
  }

  public func acknowledge(_ ids: [UUID]) async throws {
    guard !ids.isEmpty else { return }
    _ = try await vault.acknowledge(ids, actor: "uplink")
  }

  public func backlog() async throws -> Int { try await vault.run { try $0.pendingCandidateCount() } }

  public func auditHead() async throws -> WireAuditHead? {
    try await vault.run { try $0.auditHead() }.map { WireAuditHead(sequence: Int($0.sequence), hash: $0.hash) }
  }

  public func unsyncedAggregates() async throws -> [WireAggregate] {
    try await vault.run { try $0.aggregates(unsyncedOnly: true) }
  }

  public func markSynced(_ aggregates: [WireAggregate]) async throws {
    try await vault.run { try $0.markAggregatesSynced(aggregates) }
  }
}

extension UplinkSync {
  /// The uplink of a vehicle: the vault's outbox and aggregates, the hub connection, and the
  /// document cache. A verified `keys` document is imported into the vault's keyring (so new
  /// evidence is sealed to the hub's current key) before `onDocument` sees it.
  public static func forVehicle(
    configuration: UplinkConfiguration, vault: Vault, status: UplinkStatusBoard = UplinkStatusBoard(),
    logger: Logger, onDocument: @escaping @Sendable (SignedDocument) async throws -> Void = { _ in }
  ) throws -> UplinkSync {
    let outbox = VaultOutbox(vault: vault)
    return UplinkSync(
      connection: try HubConnection(configuration: configuration, logger: logger), outbox: outbox, aggregates: outbox,
      cache: try DistributionCache(
        directory: configuration.cacheDirectory, trustedKey: configuration.hubSigningKey, logger: logger),
      status: status, logger: logger,
      onDocument: { document in
        if document.kind == .keys {
          let keys = try UplinkAPI.decoder().decode(HubPublicKeys.self, from: document.body)
          if vault.keyring.upstreamHPKEKey?.rawRepresentation != keys.hpkePublicKey
            || vault.keyring.upstreamSigningKey?.rawRepresentation != keys.signingPublicKey
          {
            try await vault.run {
              try $0.importUpstreamKeys(
                hpkePublicKey: keys.hpkePublicKey, signingPublicKey: keys.signingPublicKey, actor: "uplink",
                purpose: "hub announced new keys in a signed document")
            }
          }
        }
        try await onDocument(document)
      })
  }
}
