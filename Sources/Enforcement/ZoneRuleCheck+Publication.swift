// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

extension ZoneRuleCheck {
  /// Refuses a zones document a hub is about to publish (the one-document form: a CDS zones
  /// response with its policies inline) when a vehicle would refuse it: it does not load, or it
  /// fails ``check(_:source:file:)`` (a watch list, a zone that is no curb, a limit under the
  /// floor). Each problem is `FILE:LINE: KEY.PATH: problem (expected …)`.
  ///
  /// The vehicles' holiday list is not the hub's (it comes from each profile's
  /// `enforcement.periods`), so a designated period the document names without defining it is
  /// taken as defined, with no dates: whether a vehicle's list has that name is its profile's
  /// check (`chalkline check-profile`); every other rule is checked as the vehicle checks it.
  public static func checkForPublication(_ data: Data, file: String) throws(FileRefusal) {
    let zones = try ZonesFileLoader.parse(
      .init(data: data, file: file), periods: placeholderPeriods(for: data, file: file))
    try check(zones, source: data, file: file)
  }

  /// A designated-periods document naming, with no dates, each period the zones document uses
  /// but does not define inline; nil when there is none.
  static func placeholderPeriods(for data: Data, file: String) -> ZonesFileLoader.Input? {
    guard let root = try? JSONTextParser.parse(data) else { return nil }
    var used: Set<String> = []
    func visit(_ node: JSONNode) {
      switch node.value {
      case .object(let members):
        for member in members {
          if member.key == "designated_period", let name = member.node.string { used.insert(name) }
          visit(member.node)
        }
      case .array(let items):
        items.forEach(visit)
      default:
        break
      }
    }
    visit(root)
    let inline = Set(root["data"]?["designated_periods"]?.members?.map(\.key) ?? [])
    let missing = used.subtracting(inline).sorted()
    guard !missing.isEmpty else { return nil }
    let periods = Dictionary(uniqueKeysWithValues: missing.map { ($0, [String]()) })
    let body: [String: Any] = ["version": "the vehicles' own", "designated_periods": periods]
    guard let encoded = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]) else { return nil }
    return .init(data: encoded, file: "\(file) (the vehicles' holiday list)")
  }
}
