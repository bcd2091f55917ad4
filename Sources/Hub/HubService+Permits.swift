// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Enforcement
import Foundation
import Logging
import Wire

/// What `permits import` did.
public struct PermitImportReport: Sendable {
  /// Permits per class (plate-free).
  public var countsByClass: [String: Int]
  /// The permits document version published (nil: no device is registered yet to seal it to,
  /// or the hub had nothing new to publish).
  public var publishedVersion: Int?
  /// Bytes of the published document's body.
  public var documentBytes: Int
  /// Devices the permit key was sealed to.
  public var devices: Int
}

extension HubService {
  /// The imported list at rest: sealed to the hub's own HPKE key, so its plates are not on the
  /// hub's disk in the clear either; replaced by an atomic rename.
  var permitListPath: String { "\(configuration.distributionDirectory)/permit-list.sealed" }
  private static let listInfo = Data("chalkline permit list at rest v1".utf8)

  private struct StoredList: Codable {
    var listTag: String
    var importedAt: Date
    var list: PermitList
  }

  /// Imports the permit office's CSV export: every line is checked first and a file with any
  /// bad line changes nothing; then the whole list is replaced at once, the import audited
  /// (who, when, counts per class, never plates) and the list published to vehicles.
  @discardableResult
  public func importPermits(csv: Data, file: String, actor: String) async throws -> PermitImportReport {
    let list: PermitList
    do { list = try PermitList.parse(csv, file: file) } catch let error as FileRefusal {
      try await storage.audit(
        actor: actor, purpose: "permit list import", action: "permits.import", detail: "file=\(file)",
        outcome: "denied: \(error.problems.count) bad line(s), nothing changed", at: Date())
      throw error
    }
    let stored = StoredList(listTag: UUID().uuidString, importedAt: Date(), list: list)
    try saveList(stored)
    let counts = Self.counts(list)
    try await storage.audit(
      actor: actor, purpose: "permit list import", action: "permits.import",
      detail: "file=\(file) permits=\(list.permits.count) " + Self.describe(counts), outcome: "allowed", at: Date())
    logger.notice(
      "Permit list imported.", metadata: ["hub.permits": "\(list.permits.count)", "hub.classes": "\(counts.count)"])
    let published = try await publishPermits(stored, actor: actor, force: true)
    return PermitImportReport(
      countsByClass: counts, publishedVersion: published?.version, documentBytes: published?.body.count ?? 0,
      devices: try await storage.devices().count)
  }

  /// Publishes the imported list as a new `permits` document (a fresh permit key, sealed to every
  /// registered device) when it is new or the registered devices changed since the last one;
  /// `force` always publishes. Nil when there is no list or no device. The next distribution
  /// request, also of a running `serve`, serves it: documents are read from storage per request.
  @discardableResult
  public func publishPermits(actor: String = "hub", force: Bool = false) async throws -> SignedDocument? {
    guard let stored = try loadList() else { return nil }
    return try await publishPermits(stored, actor: actor, force: force)
  }

  private func publishPermits(_ stored: StoredList, actor: String, force: Bool) async throws -> SignedDocument? {
    // A revoked vehicle gets no permit key (#26: its certificate is refused; its disk may be stolen).
    let devices = try await storage.devices().filter { $0.revokedAt == nil }
    guard !devices.isEmpty else {
      logger.warning("No device is registered: the permit list is published once one is (chalkline-hub devices add).")
      return nil
    }
    if !force, let latest = try await storage.latestDocument(.permits),
      let held = try? UplinkAPI.decoder().decode(PermitsDocument.self, from: latest.body),
      held.listTag == stored.listTag,
      Set(held.sealedKeys.map(\.device)) == Set(devices.map(\.id))
    {
      return latest
    }
    let body = try UplinkAPI.encoder().encode(
      try Self.document(for: stored.list, tag: stored.listTag, devices: devices))
    let document = try await publish(.permits, body: body)
    let counts = Self.counts(stored.list)
    try await storage.audit(
      actor: actor, purpose: "permit list publication", action: "permits.publish",
      detail: "version=\(document.version) bytes=\(body.count) devices=\(devices.count) " + Self.describe(counts),
      outcome: "allowed", at: Date())
    return document
  }

  /// Counts per class and validity on `today` (plate-free), or nil without an imported list.
  public func permitCounts(
    on today: CivilDate
  ) throws -> [(
    userClass: String, total: Int, valid: Int, expired: Int, future: Int
  )]? {
    try loadList()?.list.counts(on: today)
  }

  /// The time zone the permit dates are read in: the published zones' `time_zone` (the
  /// distribution directory's zones.json before one is published), else the hub's own.
  public func zonesTimeZone() async throws -> TimeZone {
    let published = try await storage.latestDocument(.zones)?.body
    let body = published ?? FileManager.default.contents(atPath: "\(configuration.distributionDirectory)/zones.json")
    guard let body, let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
      let name = object["time_zone"] as? String, let zone = TimeZone(identifier: name)
    else { return .current }
    return zone
  }

  /// The permits document of a list: per class and validity, the sorted keyed hashes of the
  /// canonical plates under a fresh permit key, which is sealed to each device.
  public static func document(for list: PermitList, tag: String, devices: [DeviceRecord]) throws -> PermitsDocument {
    let (key, keyWindow) = PermitsDocument.newKey()
    var groups: [String: Set<Data>] = [:]
    var validity: [String: (String, String, String)] = [:]
    for permit in list.permits {
      let name = "\(permit.userClass)\u{0}\(permit.validFrom)\u{0}\(permit.validTo)"
      validity[name] = (permit.userClass, permit.validFrom.description, permit.validTo.description)
      groups[name, default: []].insert(PermitsDocument.hash(canonicalPlate: permit.plate, key: key))
    }
    let sealed = try devices.map {
      try PermitsDocument.seal(key, keyWindow: keyWindow, device: $0.id, signingKey: $0.signingKey)
    }
    return PermitsDocument(
      keyWindow: keyWindow, listTag: tag, classes: Set(list.permits.map(\.userClass)).sorted(), sealedKeys: sealed,
      groups: groups.keys.sorted().map { name in
        let (userClass, from, to) = validity[name]!
        var hashes = Data()
        for hash in groups[name]!.sorted(by: { $0.lexicographicallyPrecedes($1) }) { hashes.append(hash) }
        return PermitsDocument.Group(userClass: userClass, validFrom: from, validTo: to, hashes: hashes)
      })
  }

  static func counts(_ list: PermitList) -> [String: Int] {
    var counts: [String: Int] = [:]
    for permit in Set(list.permits) { counts[permit.userClass, default: 0] += 1 }
    return counts
  }

  static func describe(_ counts: [String: Int]) -> String {
    counts.keys.sorted().map { "\"\($0)\"=\(counts[$0]!)" }.joined(separator: " ")
  }

  private func saveList(_ stored: StoredList) throws {
    var sender = try HPKE.Sender(
      recipientKey: keys.hpke.publicKey, ciphersuite: .Curve25519_SHA256_ChachaPoly, info: Self.listInfo)
    let sealed = sender.encapsulatedKey + (try sender.seal(try UplinkAPI.encoder().encode(stored)))
    do {
      try FileManager.default.createDirectory(
        atPath: configuration.distributionDirectory, withIntermediateDirectories: true)
      try sealed.write(to: URL(fileURLWithPath: permitListPath), options: .atomic)
      try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: permitListPath)
    } catch {
      throw HubError(.storage, "The permit list cannot be written to \(permitListPath).", cause: error)
    }
  }

  private func loadList() throws -> StoredList? {
    guard let sealed = FileManager.default.contents(atPath: permitListPath) else { return nil }
    do {
      guard sealed.count > 32 else { throw HubError(.storage, "\(permitListPath) is truncated.") }
      var recipient = try HPKE.Recipient(
        privateKey: keys.hpke, ciphersuite: .Curve25519_SHA256_ChachaPoly, info: Self.listInfo,
        encapsulatedKey: Data(sealed.prefix(32)))
      return try UplinkAPI.decoder().decode(StoredList.self, from: recipient.open(Data(sealed.dropFirst(32))))
    } catch {
      throw HubError(
        .storage, "\(permitListPath) cannot be opened with the hub key; import the permit list again.",
        cause: error)
    }
  }
}
