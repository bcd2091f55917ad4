// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Wire

extension AggregateArea {
  /// The area as the `aggregate` table keeps it: `zone:ID` or `tract:ID`.
  var stored: String {
    switch self {
    case .zone(let id): "zone:\(id)"
    case .tract(let id): "tract:\(id)"
    }
  }

  init?(stored: String) {
    if stored.hasPrefix("zone:") {
      self = .zone(String(stored.dropFirst(5)))
    } else if stored.hasPrefix("tract:") {
      self = .tract(String(stored.dropFirst(6)))
    } else {
      return nil
    }
  }
}

extension WireAggregate {
  /// The start of the UTC hour holding `date`, in milliseconds: the `aggregate` table's key.
  static func hourStart(_ date: Date) -> Int64 {
    let ms = date.millisecondsSince1970
    return ms - ((ms % 3_600_000) + 3_600_000) % 3_600_000
  }
}
