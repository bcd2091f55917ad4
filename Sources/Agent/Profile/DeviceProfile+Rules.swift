// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Enforcement
import Foundation

extension DeviceProfile.Enforcement {
  /// The profile's rule documents: `enforcement.zones`, with `enforcement.policies` and
  /// `enforcement.periods` when set.
  package func ruleInputs() throws(FileRefusal) -> [ZonesFileLoader.Input] {
    var inputs = [try ZonesFileLoader.Input.read(URL(fileURLWithPath: zonesFile), what: "zones file")]
    if let policiesFile {
      inputs.append(try ZonesFileLoader.Input.read(URL(fileURLWithPath: policiesFile), what: "policies file"))
    }
    if let periodsFile {
      inputs.append(try ZonesFileLoader.Input.read(URL(fileURLWithPath: periodsFile), what: "periods file"))
    }
    return inputs
  }

  /// The periods document alone, when the profile names one (it completes a hub's zones document).
  package func periodsInput() throws(FileRefusal) -> ZonesFileLoader.Input? {
    guard let periodsFile else { return nil }
    return try ZonesFileLoader.Input.read(URL(fileURLWithPath: periodsFile), what: "periods file")
  }

  /// Loads and validates the profile's rules.
  package func loadRules() throws(FileRefusal) -> ZoneSet { try rules(from: ruleInputs()) }

  /// Validates the documents ``ruleInputs()`` read, and refuses rules Chalkline must not enforce
  /// (a watch list made of rules, zones that are no curb, limits under the floor).
  package func rules(from inputs: [ZonesFileLoader.Input]) throws(FileRefusal) -> ZoneSet {
    let policies = policiesFile == nil ? nil : inputs[1]
    let periods = periodsFile == nil ? nil : inputs.last
    // The profile's `enforcement.time_zone` is the signs' when the zones file names none.
    let zones = try ZonesFileLoader.parse(
      inputs[0], policies: policies, periods: periods, defaultTimeZone: IANATimeZone.named(timeZone))
    try ZoneRuleCheck.check(zones, sources: ([inputs[0]] + (policies.map { [$0] } ?? [])).map { ($0.data, $0.file) })
    return zones
  }
}
