// SPDX-License-Identifier: AGPL-3.0-or-later
import Wire

extension AggregateArea {
  /// The area as the `aggregate` table keeps it: `zone:ID` or `tract:ID`.
  var stored: String { "\(kind):\(id)" }

  init?(stored: String) {
    guard let colon = stored.firstIndex(of: ":") else { return nil }
    self.init(kind: String(stored[..<colon]), id: String(stored[stored.index(after: colon)...]))
  }
}
