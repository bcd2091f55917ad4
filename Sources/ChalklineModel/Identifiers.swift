// SPDX-License-Identifier: AGPL-3.0-or-later
import FoundationEssentials

/// An identifier that is a string as the files and the wire write it, coded as that bare string.
public protocol StringIdentifier: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The identifier as written.
  var rawValue: String { get }
  /// Wraps an identifier as written.
  init(_ rawValue: String)
}

extension StringIdentifier {
  public var description: String { rawValue }
  public init(from decoder: any Decoder) throws { self.init(try decoder.singleValueContainer().decode(String.self)) }
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}

/// The `curb_zone_id` of a Curb Data Specification curb zone.
public struct ZoneID: StringIdentifier, Comparable {
  /// The identifier as written in the zones file.
  public var rawValue: String
  /// Creates a zone identifier.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public static func < (lhs: ZoneID, rhs: ZoneID) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The `curb_policy_id` of a Curb Data Specification curb policy.
public struct PolicyID: StringIdentifier {
  /// The identifier as written in the zones file.
  public var rawValue: String
  /// Creates a policy identifier.
  public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// A CDS user class, such as `permit R`: the holders of a residential permit for an area.
public struct UserClass: StringIdentifier {
  /// The class name as written in the zones file.
  public var rawValue: String
  /// Creates a user class.
  public init(_ rawValue: String) { self.rawValue = rawValue }
}

/// An opaque reference to the evidence (pictures, crops) of a sighting, kept by the vault.
public struct EvidenceID: StringIdentifier {
  /// The reference; Enforcement never interprets it.
  public var rawValue: String
  /// Creates an evidence reference.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  /// Creates an evidence reference from a UUID.
  public init(_ uuid: UUID) { self.rawValue = uuid.uuidString }
  /// The UUID the vault wrote, if the reference is one.
  public var uuid: UUID? { UUID(uuidString: rawValue) }
}

/// Names one hashing key of the vault's keyring: a chalk window, or the permit list's key.
///
/// Enforcement never holds key material. It only says which window a time belongs to
/// (`KeyWindowSchedule`) so that the caller hashes with the right key.
public struct KeyWindowID: StringIdentifier, Comparable {
  /// The identifier, such as `chalk-2026-03-02` or `permits`.
  public var rawValue: String
  /// Creates a window identifier.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public static func < (lhs: KeyWindowID, rhs: KeyWindowID) -> Bool { lhs.rawValue < rhs.rawValue }
}
