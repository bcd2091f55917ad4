// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

extension ZonesFileLoader {
  // MARK: - Policies

  static let policyKeys: Set<String> = [
    "curb_policy_id", "published_date", "priority", "rules", "time_spans", "data_source_operator_id", "name",
    "description",
  ]
  static let ruleKeys: Set<String> = [
    "activity", "max_stay", "max_stay_unit", "no_return", "no_return_unit", "user_classes", "user_classes_except",
    "rate", "name", "description",
  ]
  static let timeSpanKeys: Set<String> = [
    "start_date", "end_date", "days_of_week", "days_of_month", "weeks_of_month", "months", "time_of_day_start",
    "time_of_day_end", "designated_period", "designated_period_except",
  ]

  mutating func policy(_ node: JSONNode, path: String, periods: [String: [CivilDate]]) -> CurbPolicy? {
    guard object(node, path) else { return nil }
    checkKeys(node, path, known: Self.policyKeys)
    let id = require(node, "curb_policy_id", in: path, as: "a string").flatMap {
      nonEmptyString($0, path + ".curb_policy_id")
    }
    var priority: Int?
    if let priorityNode = require(node, "priority", in: path, as: "an integer, lowest wins") {
      if let value = priorityNode.integer, value >= 0 {
        priority = value
      } else {
        report(
          priorityNode, path + ".priority", "is \(describe(priorityNode))", expected: "an integer ≥ 0, lowest wins")
      }
    }
    var rules: [CurbRule] = []
    var rulesOK = true
    if let list = require(node, "rules", in: path, as: "an array of rules"), let items = array(list, path + ".rules") {
      if items.isEmpty { report(list, path + ".rules", "is empty", expected: "at least one rule") }
      for (i, item) in items.enumerated() {
        if let rule = rule(item, path: "\(path).rules[\(i)]") { rules.append(rule) } else { rulesOK = false }
      }
    }
    var spans: [TimeSpan] = []
    if let list = node["time_spans"], let items = array(list, path + ".time_spans") {
      for (i, item) in items.enumerated() {
        if let span = timeSpan(item, path: "\(path).time_spans[\(i)]", periods: periods) { spans.append(span) }
      }
    }
    var operators: [String] = []
    if let list = node["data_source_operator_id"], let items = array(list, path + ".data_source_operator_id") {
      for (i, item) in items.enumerated() {
        if let text = nonEmptyString(item, "\(path).data_source_operator_id[\(i)]") { operators.append(text) }
      }
    }
    guard let id, let priority, rulesOK, !rules.isEmpty else { return nil }
    return CurbPolicy(id: PolicyID(id), priority: priority, rules: rules, timeSpans: spans, operatorIDs: operators)
  }

  mutating func rule(_ node: JSONNode, path: String) -> CurbRule? {
    guard object(node, path) else { return nil }
    checkKeys(node, path, known: Self.ruleKeys)
    let activities = CurbRule.Activity.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
    var activity: CurbRule.Activity?
    if let activityNode = require(node, "activity", in: path, as: "one of \(activities)"),
      let text = string(activityNode, path + ".activity", expected: "one of \(activities)")
    {
      activity = CurbRule.Activity(rawValue: text)
      if activity == nil {
        report(activityNode, path + ".activity", "unknown activity \"\(text)\"", expected: "one of \(activities)")
      }
    }
    let maxStay = duration(node, valueKey: "max_stay", unitKey: "max_stay_unit", path: path)
    let noReturn = duration(node, valueKey: "no_return", unitKey: "no_return_unit", path: path)
    let classes = userClasses(node["user_classes"], path + ".user_classes")
    requireMinor1(node["user_classes_except"], path + ".user_classes_except")
    let except = userClasses(node["user_classes_except"], path + ".user_classes_except")
    if let overlap = classes.first(where: except.contains), let exceptNode = node["user_classes_except"] {
      report(
        exceptNode, path + ".user_classes_except", "names \"\(overlap)\", which user_classes requires",
        expected: "classes disjoint from user_classes")
    }
    if noReturn.value != nil, node["max_stay"] == nil, let noReturnNode = node["no_return"] {
      report(
        noReturnNode, path + ".no_return", "is set without max_stay", expected: "max_stay as well, or no no_return")
    }
    guard let activity, maxStay.ok, noReturn.ok else { return nil }
    return CurbRule(
      activity: activity, maxStay: maxStay.value, noReturn: noReturn.value, userClasses: classes,
      exceptClasses: except)
  }

  mutating func userClasses(_ node: JSONNode?, _ path: String) -> [UserClass] {
    guard let node, let items = array(node, path) else { return [] }
    return items.enumerated().compactMap { i, item in nonEmptyString(item, "\(path)[\(i)]").map(UserClass.init) }
  }

  /// Seconds in each CDS unit of time. A month and a year are their longest (31 and 366 days),
  /// so no stay is flagged before the calendar would end it.
  static let unitSeconds: [(String, Double)] = [
    ("second", 1), ("minute", 60), ("hour", 3_600), ("day", 86_400), ("week", 604_800), ("month", 2_678_400),
    ("year", 31_622_400),
  ]

  /// A CDS duration: a positive integer `valueKey` in `unitKey` (default minutes, as in CDS).
  mutating func duration(
    _ node: JSONNode, valueKey: String, unitKey: String, path: String
  ) -> (value: TimeInterval?, ok: Bool) {
    var unitSeconds: Double = 60
    var ok = true
    let units = Self.unitSeconds.map(\.0).joined(separator: ", ")
    if let unitNode = node[unitKey], let unit = string(unitNode, "\(path).\(unitKey)", expected: "one of \(units)") {
      if let seconds = Self.unitSeconds.first(where: { $0.0 == unit })?.1 {
        unitSeconds = seconds
      } else {
        report(unitNode, "\(path).\(unitKey)", "unknown unit \"\(unit)\"", expected: "one of \(units)")
        ok = false
      }
    }
    guard let valueNode = node[valueKey] else { return (nil, ok) }
    guard let value = valueNode.integer, value > 0 else {
      report(
        valueNode, "\(path).\(valueKey)", "is \(describe(valueNode))", expected: "a positive integer in \(unitKey)")
      return (nil, false)
    }
    return (Double(value) * unitSeconds, ok)
  }

  mutating func timeSpan(_ node: JSONNode, path: String, periods: [String: [CivilDate]]) -> TimeSpan? {
    guard object(node, path) else { return nil }
    checkKeys(node, path, known: Self.timeSpanKeys)
    var span = TimeSpan()
    let before = problems.count
    let days = ["mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7]
    if let list = node["days_of_week"], let items = array(list, path + ".days_of_week") {
      var set: Set<Int> = []
      for (i, item) in items.enumerated() {
        let text = string(item, "\(path).days_of_week[\(i)]", expected: "mon, tue, wed, thu, fri, sat or sun")
        if let text, let day = days[text] {
          set.insert(day)
        } else if let text {
          report(
            item, "\(path).days_of_week[\(i)]", "\"\(text)\" is not a day",
            expected: "mon, tue, wed, thu, fri, sat or sun")
        }
      }
      span.daysOfWeek = set
    }
    span.daysOfMonth = integerSet(node["days_of_month"], path + ".days_of_month", range: 1...31)
    requireMinor1(node["weeks_of_month"], path + ".weeks_of_month")
    span.weeksOfMonth = integerSet(node["weeks_of_month"], path + ".weeks_of_month", range: 1...5)
    span.months = integerSet(node["months"], path + ".months", range: 1...12)
    span.timeOfDayStart = node["time_of_day_start"].flatMap {
      timeOfDay($0, path + ".time_of_day_start", allow24: false)
    }
    span.timeOfDayEnd = node["time_of_day_end"].flatMap { timeOfDay($0, path + ".time_of_day_end", allow24: true) }
    if span.timeOfDayStart != nil, span.timeOfDayStart == span.timeOfDayEnd, let endNode = node["time_of_day_end"] {
      report(
        endNode, path + ".time_of_day_end", "equals time_of_day_start",
        expected: "a different time; 00:00 to 24:00 is all day")
    }
    if let periodNode = node["designated_period"], let name = nonEmptyString(periodNode, path + ".designated_period") {
      if periods[name] == nil {
        let known = periods.keys.sorted().joined(separator: ", ")
        report(
          periodNode, path + ".designated_period", "no designated period is named \"\(name)\"",
          expected: known.isEmpty ? "a name listed in data.designated_periods" : "one of \(known)")
      }
      span.designatedPeriod = name
    }
    if let exceptNode = node["designated_period_except"] {
      if let value = exceptNode.bool {
        span.designatedPeriodExcept = value
        if span.designatedPeriod == nil {
          report(
            exceptNode, path + ".designated_period_except", "is set without designated_period",
            expected: "designated_period as well")
        }
      } else {
        report(exceptNode, path + ".designated_period_except", "is \(describe(exceptNode))", expected: "true or false")
      }
    }
    span.startDate = node["start_date"].flatMap { timestamp($0, path + ".start_date") }
    span.endDate = node["end_date"].flatMap { timestamp($0, path + ".end_date") }
    if let start = span.startDate, let end = span.endDate, end <= start, let endNode = node["end_date"] {
      report(endNode, path + ".end_date", "is not after start_date", expected: "a later timestamp")
    }
    return problems.count == before ? span : nil
  }

  mutating func integerSet(_ node: JSONNode?, _ path: String, range: ClosedRange<Int>) -> Set<Int>? {
    guard let node, let items = array(node, path) else { return nil }
    var set: Set<Int> = []
    for (i, item) in items.enumerated() {
      if let value = item.integer, range.contains(value) {
        set.insert(value)
      } else {
        report(
          item, "\(path)[\(i)]", "is \(describe(item))", expected: "an integer \(range.lowerBound)…\(range.upperBound)")
      }
    }
    return set
  }

  /// `HH:MM` (or `HH:MM:SS`) as seconds after midnight; `24:00` only as an end.
  mutating func timeOfDay(_ node: JSONNode, _ path: String, allow24: Bool) -> Int? {
    let expected = allow24 ? "HH:MM, 00:00…24:00" : "HH:MM, 00:00…23:59"
    guard let text = string(node, path, expected: expected) else { return nil }
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    if (2...3).contains(parts.count), parts.allSatisfy({ $0.count == 2 }), let h = Int(parts[0]), let m = Int(parts[1]),
      let s = parts.count == 3 ? Int(parts[2]) : 0, (0..<60).contains(m), (0..<60).contains(s)
    {
      let seconds = h * 3_600 + m * 60 + s
      if h < 24 || (allow24 && seconds == 86_400) { return seconds }
    }
    report(node, path, "\"\(text)\" is not a time of day", expected: expected)
    return nil
  }

  /// A CDS timestamp: integer milliseconds since 1970-01-01T00:00:00Z.
  mutating func timestamp(_ node: JSONNode, _ path: String) -> Date? {
    guard let ms = node.integer, ms >= 0 else {
      report(node, path, "is \(describe(node))", expected: "a CDS timestamp, integer milliseconds since 1970 UTC")
      return nil
    }
    return Date(timeIntervalSince1970: Double(ms) / 1_000)
  }

  // MARK: - Helpers

  mutating func report(_ node: JSONNode, _ path: String, _ problem: String, expected: String? = nil) {
    problems.append(
      FileProblem(
        file: file, line: node.line, keyPath: path.isEmpty ? "(document)" : path, problem: problem, expected: expected))
  }

  /// The member `key` of an object, or a "missing" problem on the object's line.
  mutating func require(_ node: JSONNode, _ key: String, in path: String, as expected: String) -> JSONNode? {
    if let member = node[key] { return member }
    report(node, path.isEmpty ? key : "\(path).\(key)", "is missing", expected: expected)
    return nil
  }

  mutating func object(_ node: JSONNode, _ path: String) -> Bool {
    if node.members != nil { return true }
    report(node, path, "is \(node.typeName)", expected: "an object")
    return false
  }

  mutating func array(_ node: JSONNode, _ path: String) -> [JSONNode]? {
    if let items = node.array { return items }
    report(node, path, "is \(node.typeName)", expected: "an array")
    return nil
  }

  mutating func string(_ node: JSONNode, _ path: String, expected: String) -> String? {
    if let text = node.string { return text }
    report(node, path, "is \(describe(node))", expected: expected)
    return nil
  }

  mutating func nonEmptyString(_ node: JSONNode, _ path: String) -> String? {
    guard let text = string(node, path, expected: "a non-empty string") else { return nil }
    if text.isEmpty { report(node, path, "is empty", expected: "a non-empty string") }
    return text.isEmpty ? nil : text
  }

  func describe(_ node: JSONNode) -> String {
    switch node.value {
    case .number(let n): n.rounded() == n && abs(n) < 1e15 ? "\(Int(n))" : "\(n)"
    case .string(let s): "\"\(s)\""
    case .bool(let b): "\(b)"
    default: node.typeName
    }
  }
}
