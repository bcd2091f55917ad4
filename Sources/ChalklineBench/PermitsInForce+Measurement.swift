// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import Crypto
import Enforcement
import Vault

extension PermitsInForce {
  /// A verified list that names `classes` and holds no plate, under a key of its own: what a
  /// measurement of reading (the patrol benchmark) enforces, so that every rule a permit would
  /// lift applies to every car, as the city's list would make it for cars it does not name.
  static func namingNoPlate(classes: Set<UserClass>) throws -> PermitsInForce {
    let window = "measurement"
    return PermitsInForce(
      registry: PermitRegistry(window: KeyWindowID(window), version: 0, classes: classes),
      hasher: try PlateHasher(permitKey: SymmetricKey(size: .bits256), id: window),
      source: "a list that names no plate (measurement)")
  }
}
