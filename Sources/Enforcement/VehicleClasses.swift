// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// What the agent knows of a car's CDS user classes: those it holds, among those it can observe.
///
/// The agent observes a class only where it holds the list of its members (a residential permit
/// list). Every other class (`rideshare`, `electric`, `delivery`…) is unknown for every car: a rule
/// for such a class never applies to a car (CDS `user_classes` is AND, so a car would have to be
/// shown to hold each), and a rule that exempts such a class (`user_classes_except`) never applies
/// either, since the agent cannot tell the car is not exempt.
public struct VehicleClasses: Sendable, Hashable {
  /// Classes the car is known to hold (a subset of ``observable``).
  public var held: Set<UserClass>
  /// Classes whose membership the agent can decide for every car.
  public var observable: Set<UserClass>

  /// Creates a car's classes.
  public init(held: Set<UserClass> = [], observable: Set<UserClass> = []) {
    self.held = held
    self.observable = observable.union(held)
  }

  /// A car the agent knows no class of.
  public static let unclassified = VehicleClasses()
}

extension CurbRule {
  /// Whether the rule applies to a car: it holds every class of `user_classes` (CDS: AND), and
  /// is known to hold none of `user_classes_except`.
  public func applies(to car: VehicleClasses) -> Bool {
    guard userClasses.allSatisfy(car.held.contains) else { return false }
    guard exceptClasses.allSatisfy(car.observable.contains) else { return false }
    return car.held.isDisjoint(with: exceptClasses)
  }
}

extension PermitRegistry {
  /// The classes of a sighting on a local date: the permit classes any of its alternatives holds
  /// a permit of that is valid that day, among every class this registry has a list for.
  public func vehicleClasses(of sighting: Sighting, on date: CivilDate) -> VehicleClasses {
    VehicleClasses(held: classes(of: sighting, on: date), observable: knownClasses)
  }
}
