// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// Describes zones and policies in words a technician can check against the signs, such as
/// "E Santa Clara St, 100 block north: 2 h max stay Mon–Sat 08:00–18:00; permit R exempt".
public enum ZoneSummary {
  /// One line for a zone: its label, then each policy by priority.
  public static func line(for zone: CurbZone, in set: ZoneSet) -> String {
    let policies = set.policies(of: zone.id).map { describe($0) }
    return "\(zone.label): " + (policies.isEmpty ? "no policy" : policies.joined(separator: "; "))
  }

  /// A policy in words: the rule for everyone, when, and the classes it exempts.
  public static func describe(_ policy: CurbPolicy) -> String {
    let when = spans(policy.timeSpans)
    var parts: [String] = []
    if !policy.operatorIDs.isEmpty { parts.append("operators' fleets only (never a parked car)") }
    let general = policy.rules.first { $0.userClasses.isEmpty }
    if let general {
      var text = "\(rule(general)) \(when)"
      if let noReturn = general.noReturn { text += ", no return within \(duration(noReturn))" }
      if policy.enforcement(ofRule: policy.rules.firstIndex(of: general)!) == .notEnforced {
        text += " (not enforced by Chalkline)"
      }
      parts.append(text)
    }
    for classRule in policy.rules where !classRule.userClasses.isEmpty {
      let classes = classRule.userClasses.map(\.rawValue).joined(separator: ", ")
      if classRule.activity == .parking, classRule.maxStay == nil {
        parts.append("\(classes) exempt")
      } else {
        parts.append("\(classes): \(rule(classRule))" + (general == nil ? " \(when)" : ""))
      }
    }
    return parts.joined(separator: "; ")
  }

  static func rule(_ rule: CurbRule) -> String {
    var text = rule.activity.rawValue
    if let maxStay = rule.maxStay {
      text = rule.activity == .parking ? "\(duration(maxStay)) max stay" : "\(text) \(duration(maxStay)) max"
    }
    if !rule.exceptClasses.isEmpty { text += " except " + rule.exceptClasses.map(\.rawValue).joined(separator: ", ") }
    return text
  }

  /// `2 h`, `90 min`, `45 s`, `1 day`.
  public static func duration(_ seconds: TimeInterval) -> String {
    let s = Int(seconds)
    if s % 86_400 == 0 { return s == 86_400 ? "1 day" : "\(s / 86_400) days" }
    if s % 3_600 == 0 { return "\(s / 3_600) h" }
    if s % 60 == 0 { return "\(s / 60) min" }
    return "\(s) s"
  }

  static func spans(_ spans: [TimeSpan]) -> String {
    spans.isEmpty ? "at all times" : spans.map(span).joined(separator: " and ")
  }

  static func span(_ span: TimeSpan) -> String {
    var words: [String] = []
    let hasDays = span.daysOfWeek != nil || span.daysOfMonth != nil || span.weeksOfMonth != nil || span.months != nil
    if let weeks = span.weeksOfMonth {
      let ordinals = weeks.sorted().map { ["1st", "2nd", "3rd", "4th", "5th"][$0 - 1] }
      words.append("in the " + ordinals.joined(separator: ", ") + " week of the month")
    }
    if let days = span.daysOfWeek { words.append(weekdays(days)) }
    if let days = span.daysOfMonth { words.append("on day\(days.count == 1 ? "" : "s") " + numbers(days)) }
    if let months = span.months {
      let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
      words.append("in " + months.sorted().map { names[$0 - 1] }.joined(separator: ", "))
    }
    if span.timeOfDayStart != nil || span.timeOfDayEnd != nil {
      if !hasDays { words.append("daily") }
      words.append("\(clock(span.dailyStart))–\(clock(span.dailyEnd))")
    } else if !hasDays, span.designatedPeriod == nil {
      words.append("daily, all day")
    } else {
      words.append("all day")
    }
    if let period = span.designatedPeriod {
      words.append(span.designatedPeriodExcept ? "except \(period)" : "on \(period) only")
    }
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withFullDate]
    if let start = span.startDate { words.append("from \(formatter.string(from: start))") }
    if let end = span.endDate { words.append("until \(formatter.string(from: end))") }
    return words.joined(separator: " ")
  }

  static func weekdays(_ days: Set<Int>) -> String {
    let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    let sorted = days.sorted()
    if sorted.count == 7 { return "daily" }
    if sorted.count >= 3, sorted.last! - sorted.first! == sorted.count - 1 {
      return "\(names[sorted.first! - 1])–\(names[sorted.last! - 1])"
    }
    return sorted.map { names[$0 - 1] }.joined(separator: ", ")
  }

  /// Sorted numbers with runs of three or more folded: `8–14, 22–28`.
  static func numbers(_ values: Set<Int>) -> String {
    var runs: [String] = []
    var sorted = values.sorted()[...]
    while let first = sorted.first {
      var last = first
      sorted = sorted.dropFirst()
      while sorted.first == last + 1 {
        last += 1
        sorted = sorted.dropFirst()
      }
      runs.append(last - first >= 2 ? "\(first)–\(last)" : (first...last).map(String.init).joined(separator: ", "))
    }
    return runs.joined(separator: ", ")
  }

  static func clock(_ seconds: Int) -> String {
    let text = String(format: "%02d:%02d", seconds / 3_600, seconds % 3_600 / 60)
    return seconds % 60 == 0 ? text : text + String(format: ":%02d", seconds % 60)
  }
}
