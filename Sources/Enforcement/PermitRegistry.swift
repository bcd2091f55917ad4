// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Residential permits as keyed plate hashes, one set per user class (`permit R` is the class a
/// zone's rule exempts, so a class stands for the permit area of the zones that name it).
///
/// The vault hashes the permit list's canonical plates with the key of ``window``; the caller
/// adds a key under that window to each alternative of a sighting, so a plate is recognised as
/// a permit holder when any of its alternatives matches (a generous reading, in the car's favour).
public struct PermitRegistry: Sendable {
  /// The key window the permit hashes were made with.
  public var window: KeyWindowID
  private var holders: [UserClass: Set<PlateKey>]

  /// Creates a registry.
  public init(window: KeyWindowID = KeyWindowID("permits"), holders: [UserClass: Set<PlateKey>] = [:]) {
    self.window = window
    self.holders = holders
  }

  /// Adds permit holders to a class.
  public mutating func add(_ keys: some Sequence<PlateKey>, to userClass: UserClass) {
    holders[userClass, default: []].formUnion(keys)
  }

  /// Every class this registry holds a list for: the classes the agent can observe.
  public var knownClasses: Set<UserClass> { Set(holders.keys) }

  /// The classes for which any alternative of a sighting holds a permit.
  public func classes(of sighting: Sighting) -> Set<UserClass> {
    var found: Set<UserClass> = []
    for (userClass, keys) in holders where !keys.isEmpty {
      if sighting.alternatives.contains(where: { $0.keys.contains { keys.contains($0) } }) { found.insert(userClass) }
    }
    return found
  }
}
