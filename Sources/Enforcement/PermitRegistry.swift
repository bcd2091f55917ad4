// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// The verified residential permit list as the ledger holds it: keyed plate hashes, each with the
/// user classes (`permit R` is the class a zone's rule exempts, so a class stands for the permit
/// area of the zones that name it) and the local calendar dates it is valid on.
///
/// The vehicle never holds the permit plates' text: the hub hashes each canonical plate with the
/// list's permit key (window ``window``), and the pipeline hashes every alternative of a sighting
/// with the same key, so a plate is recognised as a permit holder when any of its alternatives
/// matches (a generous reading, in the car's favour).
///
/// A registry without a ``version`` is no list at all (a first start, a hub never reached): the
/// ledger then enforces no rule that a permit would lift.
public struct PermitRegistry: Sendable {
  /// The local calendar dates a permit counts on, both inclusive, in the zones' time zone.
  public struct Validity: Sendable, Hashable, Codable {
    /// The first local date it counts on.
    public var from: CivilDate
    /// The last local date it counts on (through its local midnight).
    public var to: CivilDate
    /// Creates a validity.
    public init(from: CivilDate, to: CivilDate) {
      self.from = from
      self.to = to
    }
    /// Whether the permit counts on a local date.
    public func contains(_ date: CivilDate) -> Bool { from <= date && date <= to }
    /// Valid on every date.
    public static let always = Validity(
      from: CivilDate(year: 1, month: 1, day: 1), to: CivilDate(year: 9999, month: 12, day: 31))
  }

  /// One permit: its class and validity.
  struct Permit: Sendable, Hashable {
    var userClass: UserClass
    var validity: Validity
  }

  /// The key window the permit hashes were made with (the list's permit key).
  public var window: KeyWindowID
  /// The version of the verified permits document, or nil when no list was ever verified.
  public var version: Int?
  /// The classes the list names (also those with no holder yet): the only vehicle classes the
  /// agent can observe. A rule that depends on any other class is not enforced.
  public private(set) var listedClasses: Set<UserClass>
  private var permits: [PlateKey: [Permit]] = [:]
  private var counts: [UserClass: Int] = [:]

  /// Creates a registry: `version` nil is "no verified list".
  public init(window: KeyWindowID = KeyWindowID("permits"), version: Int? = nil, classes: Set<UserClass> = []) {
    self.window = window
    self.version = version
    self.listedClasses = classes
  }

  /// No verified permit list.
  public static let none = PermitRegistry()

  /// Whether a verified list is in force.
  public var isVerified: Bool { version != nil }

  /// Adds permit holders (keys made with ``window``'s key) to a class, valid on `validity`.
  public mutating func add(_ keys: some Sequence<PlateKey>, to userClass: UserClass, validity: Validity = .always) {
    listedClasses.insert(userClass)
    for key in keys {
      permits[key, default: []].append(Permit(userClass: userClass, validity: validity))
      counts[userClass, default: 0] += 1
    }
  }

  /// Every class this registry holds a list for: the classes the agent can observe.
  public var knownClasses: Set<UserClass> { listedClasses }

  /// Permits per class (plate-free; for status and the audit log).
  public var countsByClass: [UserClass: Int] {
    var all = counts
    for userClass in listedClasses where all[userClass] == nil { all[userClass] = 0 }
    return all
  }

  /// The classes for which any alternative of a sighting holds a permit valid on the local date
  /// `date` (expired, not yet valid and other classes' permits count as none).
  public func classes(of sighting: Sighting, on date: CivilDate) -> Set<UserClass> {
    var found: Set<UserClass> = []
    guard !permits.isEmpty else { return found }
    for alternative in sighting.alternatives {
      for key in alternative.keys where key.window == window {
        for permit in permits[key] ?? [] where permit.validity.contains(date) { found.insert(permit.userClass) }
      }
    }
    return found
  }
}
