// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// A CDS curb zone: a stretch of curb (a block face) with its polygon and the policies that govern it.
public struct CurbZone: Sendable, Hashable {
  /// The `curb_zone_id`.
  public var id: ZoneID
  /// The polygon covering the parking lane.
  public var polygon: ZonePolygon
  /// Policies that govern the zone (CDS `curb_policy_ids`).
  public var policyIDs: [PolicyID]
  /// CDS `name`, if given.
  public var name: String?
  /// CDS `street_name`, if given.
  public var streetName: String?
  /// CDS `cross_street_start_name`, if given.
  public var crossStreetStart: String?
  /// CDS `cross_street_end_name`, if given.
  public var crossStreetEnd: String?
  /// CDS `street_side` (`N`, `SE`...), if given.
  public var streetSide: String?
  /// CDS `start_date` (first day the zone exists), if given.
  public var startDate: Date?
  /// CDS `end_date` (the zone no longer exists from then), if given.
  public var endDate: Date?

  /// Creates a zone.
  public init(
    id: ZoneID, polygon: ZonePolygon, policyIDs: [PolicyID], name: String? = nil, streetName: String? = nil,
    crossStreetStart: String? = nil, crossStreetEnd: String? = nil, streetSide: String? = nil, startDate: Date? = nil,
    endDate: Date? = nil
  ) {
    self.id = id
    self.polygon = polygon
    self.policyIDs = policyIDs
    self.name = name
    self.streetName = streetName
    self.crossStreetStart = crossStreetStart
    self.crossStreetEnd = crossStreetEnd
    self.streetSide = streetSide
    self.startDate = startDate
    self.endDate = endDate
  }

  /// A name a technician recognises: `name`, else street, cross streets and side, else the id.
  public var label: String {
    if let name, !name.isEmpty { return name }
    guard let streetName else { return id.rawValue }
    var text = streetName
    if let crossStreetStart, let crossStreetEnd { text += " (\(crossStreetStart) to \(crossStreetEnd))" }
    if let streetSide { text += ", \(streetSide) side" }
    return text
  }

  /// Whether the zone exists at an instant.
  func exists(at time: Date) -> Bool {
    if let startDate, time < startDate { return false }
    if let endDate, time >= endDate { return false }
    return true
  }
}
