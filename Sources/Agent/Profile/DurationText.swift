// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation

/// Durations as technicians write them: `500ms`, `90s`, `5m`, `2h`, `7d`, `1h30m`, or plain seconds.
package enum DurationText {
  private static let units: [(suffix: String, seconds: Double)] = [
    ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400),
  ]

  /// The number of seconds `text` names, or `nil` when it is not a duration.
  package static func parse(_ text: String) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let plain = Double(trimmed), plain.isFinite { return plain }
    var total = 0.0
    var rest = Substring(trimmed)
    guard !rest.isEmpty else { return nil }
    while !rest.isEmpty {
      let digits = rest.prefix { $0.isNumber || $0 == "." }
      guard !digits.isEmpty, let value = Double(digits) else { return nil }
      rest = rest.dropFirst(digits.count)
      let letters = rest.prefix { $0.isLetter }
      guard let unit = units.first(where: { $0.suffix == String(letters) }) else { return nil }
      rest = rest.dropFirst(letters.count)
      total += value * unit.seconds
    }
    return total
  }

  /// The shortest natural spelling of `seconds`, such as `5m` or `7d`.
  package static func format(_ seconds: Double) -> String {
    for unit in units.reversed()
    where seconds >= unit.seconds && seconds.truncatingRemainder(dividingBy: unit.seconds) == 0 {
      return "\(Int(seconds / unit.seconds))\(unit.suffix)"
    }
    if seconds == 0 { return "0s" }
    return "\(seconds)s"
  }
}

/// Sizes as technicians write them: `512MiB`, `2GiB`, `1GB`, or plain bytes.
package enum SizeText {
  private static let units: [(suffix: String, bytes: Int64)] = [
    ("B", 1), ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("TB", 1_000_000_000_000),
    ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("TiB", 1 << 40),
  ]

  /// The number of bytes `text` names, or `nil` when it is not a size.
  package static func parse(_ text: String) -> Int64? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if let plain = Int64(trimmed) { return plain }
    let digits = trimmed.prefix { $0.isNumber || $0 == "." }
    guard !digits.isEmpty, let value = Double(digits) else { return nil }
    let suffix = trimmed.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
    guard let unit = units.first(where: { $0.suffix == suffix }) else { return nil }
    let bytes = value * Double(unit.bytes)
    guard bytes < Double(Int64.max) else { return nil }
    return Int64(bytes)
  }

  /// The largest binary unit that divides `bytes` evenly, such as `2GiB`.
  package static func format(_ bytes: Int64) -> String {
    for (suffix, size) in [("TiB", Int64(1) << 40), ("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)]
    where bytes >= size && bytes % size == 0 {
      return "\(bytes / size)\(suffix)"
    }
    return "\(bytes)B"
  }
}
