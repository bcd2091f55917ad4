// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The `curb_zone_id` of a Curb Data Specification curb zone.
public struct ZoneID: Sendable, Hashable, Codable, CustomStringConvertible, Comparable {
  /// The identifier as written in the zones file.
  public var rawValue: String
  /// Creates a zone identifier.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }
  public static func < (lhs: ZoneID, rhs: ZoneID) -> Bool { lhs.rawValue < rhs.rawValue }
  public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}

/// The `curb_policy_id` of a Curb Data Specification curb policy.
public struct PolicyID: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The identifier as written in the zones file.
  public var rawValue: String
  /// Creates a policy identifier.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }
  public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}

/// A CDS user class, such as `permit R`: the holders of a residential permit for an area.
public struct UserClass: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The class name as written in the zones file.
  public var rawValue: String
  /// Creates a user class.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }
  public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}

/// An opaque reference to the evidence (pictures, crops) of a sighting, kept by the vault.
public struct EvidenceID: Sendable, Hashable, Codable, CustomStringConvertible {
  /// The reference; Enforcement never interprets it.
  public var rawValue: String
  /// Creates an evidence reference.
  public init(_ rawValue: String) { self.rawValue = rawValue }
  /// Creates an evidence reference from a UUID.
  public init(_ uuid: UUID) { self.rawValue = uuid.uuidString }
  public var description: String { rawValue }
  public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(rawValue)
  }
}
