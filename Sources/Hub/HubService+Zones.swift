// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Enforcement
import Foundation

extension HubService {
  /// Refuses a `zones.json` the vehicles would refuse (it does not load, or it is a watch list, a
  /// zone that is no curb, a limit under the floor: ``ZoneRuleCheck``), before it is signed: a
  /// vehicle would keep its old rules in force and the city would believe the new ones are. The
  /// error lists every problem as `FILE:LINE: KEY.PATH: problem (expected …)`.
  static func checkZonesForPublication(_ body: Data, path: String) throws {
    do {
      try ZoneRuleCheck.checkForPublication(body, file: path)
    } catch {
      throw HubError(
        .invalid,
        "\(error.description)\nnot published; the vehicles keep the zones version they hold. Fix \(path) first.")
    }
  }
}
