// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Logging
import Wire

/// Verified documents from the hub, kept in a directory so that a restart resumes with what was
/// last verified. A document is written only after its signature was checked and only if its
/// version is newer than the one held (no rollback to an older zone set).
public final class DistributionCache: Sendable {
  /// The directory holding `zones.json`, `permits.json`, `keys.json` (each a `SignedDocument`).
  public let directory: URL
  private let trustedKey: LockedValue<Curve25519.Signing.PublicKey>
  private let documents: LockedValue<[DistributionKind: SignedDocument]>

  /// Opens the cache, keeping only documents whose signature verifies with `trustedKey`.
  public init(directory: URL, trustedKey: Curve25519.Signing.PublicKey, logger: Logger) throws {
    self.directory = directory
    do {
      try FileManager.default.createDirectory(
        at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    } catch {
      throw UplinkError(.local, "The uplink cache directory \(directory.path) cannot be created.", cause: error)
    }
    var loaded: [DistributionKind: SignedDocument] = [:]
    var key = trustedKey
    // Keys first: a signing key the hub announced (under the old key) verifies the rest.
    for kind in [DistributionKind.keys, .zones, .permits] {
      let url = Self.file(kind, in: directory)
      guard let data = try? Data(contentsOf: url) else { continue }
      guard let document = try? UplinkAPI.decoder().decode(SignedDocument.self, from: data), document.kind == kind,
        document.isValid(for: key)
      else {
        logger.warning(
          "A cached document does not verify with the hub key and is ignored.",
          metadata: ["uplink.kind": "\(kind.rawValue)", "uplink.file": "\(url.path)"])
        continue
      }
      loaded[kind] = document
      if kind == .keys, let keys = try? UplinkAPI.decoder().decode(HubPublicKeys.self, from: document.body),
        let next = try? Curve25519.Signing.PublicKey(rawRepresentation: keys.signingPublicKey)
      {
        key = next
      }
    }
    documents = LockedValue(loaded)
    self.trustedKey = LockedValue(key)
  }

  /// The verified document of a kind, if any.
  public func document(_ kind: DistributionKind) -> SignedDocument? { documents.withLock { $0[kind] } }

  /// The versions held.
  public var versions: [DistributionKind: Int] { documents.withLock { $0.mapValues(\.version) } }

  /// The key documents must be signed with.
  public var signingKey: Curve25519.Signing.PublicKey { trustedKey.withLock { $0 } }

  /// Verifies and stores a document received from the hub. Returns false when it is not newer.
  @discardableResult
  public func accept(_ document: SignedDocument, expected kind: DistributionKind) throws -> Bool {
    guard document.kind == kind else {
      throw UplinkError(
        .badSignature, "The hub sent a \(document.kind.rawValue) document where \(kind.rawValue) was asked for.")
    }
    guard document.isValid(for: signingKey) else {
      throw UplinkError(
        .badSignature,
        "The \(kind.rawValue) document (version \(document.version)) is not signed by the hub key this vehicle trusts; check `chalkline keys show` against the hub's `chalkline-hub keys show`."
      )
    }
    if let held = self.document(kind), held.version >= document.version { return false }
    var nextKey: Curve25519.Signing.PublicKey?
    if kind == .keys {
      // A new signing key is announced under the old one; later documents must use the new key.
      guard let keys = try? UplinkAPI.decoder().decode(HubPublicKeys.self, from: document.body),
        let signing = try? Curve25519.Signing.PublicKey(rawRepresentation: keys.signingPublicKey),
        (try? Curve25519.KeyAgreement.PublicKey(rawRepresentation: keys.hpkePublicKey)) != nil
      else { throw UplinkError(.badReply, "The hub's keys document does not hold two raw 32-byte keys.") }
      nextKey = signing
    }
    let url = Self.file(kind, in: directory)
    do {
      let data = try UplinkAPI.encoder().encode(document)
      try data.write(to: url, options: .atomic)
    } catch {
      throw UplinkError(
        .local, "The \(kind.rawValue) document cannot be saved in \(directory.path).", cause: error)
    }
    documents.withLock { $0[kind] = document }
    if let nextKey { trustedKey.withLock { $0 = nextKey } }
    return true
  }

  static func file(_ kind: DistributionKind, in directory: URL) -> URL {
    directory.appendingPathComponent("\(kind.rawValue).json")
  }
}
