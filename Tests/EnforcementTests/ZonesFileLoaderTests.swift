// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing

@testable import Enforcement

/// A valid zones file whose line numbers the error cases rely on.
let validZonesText = """
  {
    "time_zone": "America/Los_Angeles",
    "data": {
      "designated_periods": {"holidays": ["2026-01-01"]},
      "curb_policies": [
        {
          "curb_policy_id": "p1",
          "priority": 10,
          "rules": [{"activity": "parking", "max_stay": 2, "max_stay_unit": "hour"}],
          "time_spans": [{"days_of_week": ["mon"], "time_of_day_start": "08:00", "time_of_day_end": "18:00"}]
        }
      ],
      "curb_zones": [
        {
          "curb_zone_id": "z1",
          "curb_policy_ids": ["p1"],
          "geometry": {"type": "Polygon",
            "coordinates": [[[-121.89, 37.34], [-121.8899, 37.34], [-121.8899, 37.3401], [-121.89, 37.3401], [-121.89, 37.34]]]}
        }
      ]
    }
  }
  """

/// One broken zones file: the edit made to the valid one and the problem expected.
struct LoaderCase: Sendable, CustomTestStringConvertible {
  var name: String
  var replace: String
  var with: String
  var line: Int
  var keyPath: String
  var problem: String
  var testDescription: String { name }
}

let loaderCases: [LoaderCase] = [
  LoaderCase(
    name: "a missing comma is a syntax error on its line", replace: "\"priority\": 10,", with: "\"priority\": 10",
    line: 9, keyPath: "(document)", problem: "expected ',' or '}' in an object"),
  LoaderCase(
    name: "missing time_zone", replace: "\"time_zone\": \"America/Los_Angeles\",", with: "", line: 1,
    keyPath: "time_zone", problem: "is missing"),
  LoaderCase(
    name: "unknown time zone", replace: "America/Los_Angeles", with: "America/San_Jose", line: 2,
    keyPath: "time_zone", problem: "unknown time zone \"America/San_Jose\""),
  LoaderCase(
    name: "a time zone abbreviation (a fixed offset, no daylight saving time)", replace: "America/Los_Angeles",
    with: "PST", line: 2, keyPath: "time_zone", problem: "unknown time zone \"PST\""),
  LoaderCase(
    name: "negative max_stay", replace: "\"max_stay\": 2", with: "\"max_stay\": -2", line: 9,
    keyPath: "data.curb_policies[0].rules[0].max_stay", problem: "is -2"),
  LoaderCase(
    name: "unknown activity", replace: "\"activity\": \"parking\"", with: "\"activity\": \"parkng\"", line: 9,
    keyPath: "data.curb_policies[0].rules[0].activity", problem: "unknown activity \"parkng\""),
  LoaderCase(
    name: "unknown max_stay_unit", replace: "\"hour\"", with: "\"hours\"", line: 9,
    keyPath: "data.curb_policies[0].rules[0].max_stay_unit", problem: "unknown unit \"hours\""),
  LoaderCase(
    name: "a day of week spelled out", replace: "[\"mon\"]", with: "[\"monday\"]", line: 10,
    keyPath: "data.curb_policies[0].time_spans[0].days_of_week[0]", problem: "\"monday\" is not a day"),
  LoaderCase(
    name: "time of day 25:00", replace: "\"18:00\"", with: "\"25:00\"", line: 10,
    keyPath: "data.curb_policies[0].time_spans[0].time_of_day_end", problem: "\"25:00\" is not a time of day"),
  LoaderCase(
    name: "equal start and end times", replace: "\"18:00\"", with: "\"08:00\"", line: 10,
    keyPath: "data.curb_policies[0].time_spans[0].time_of_day_end", problem: "equals time_of_day_start"),
  LoaderCase(
    name: "priority missing", replace: "\"priority\": 10,", with: "", line: 6,
    keyPath: "data.curb_policies[0].priority", problem: "is missing"),
  LoaderCase(
    name: "fractional priority", replace: "\"priority\": 10,", with: "\"priority\": 1.5,", line: 8,
    keyPath: "data.curb_policies[0].priority", problem: "is 1.5"),
  LoaderCase(
    name: "undefined designated period", replace: "\"days_of_week\": [\"mon\"],",
    with: "\"designated_period\": \"holidayz\", \"designated_period_except\": true,", line: 10,
    keyPath: "data.curb_policies[0].time_spans[0].designated_period",
    problem: "no designated period is named \"holidayz\""),
  LoaderCase(
    name: "a holiday that is not a date", replace: "\"2026-01-01\"", with: "\"2026-02-30\"", line: 4,
    keyPath: "data.designated_periods.holidays[0]", problem: "\"2026-02-30\" is not a date"),
  LoaderCase(
    name: "a zone naming an unknown policy", replace: "\"curb_policy_ids\": [\"p1\"]",
    with: "\"curb_policy_ids\": [\"p2\"]", line: 16, keyPath: "data.curb_zones[0].curb_policy_ids[0]",
    problem: "no policy has id \"p2\""),
  LoaderCase(
    name: "a Point instead of a Polygon", replace: "\"type\": \"Polygon\"", with: "\"type\": \"Point\"", line: 17,
    keyPath: "data.curb_zones[0].geometry.type", problem: "geometry type \"Point\" is not supported"),
  LoaderCase(
    name: "a ring that is not closed", replace: ", [-121.89, 37.34]]]}", with: ", [-121.8901, 37.34]]]}", line: 18,
    keyPath: "data.curb_zones[0].geometry.coordinates[0]", problem: "is not closed"),
  LoaderCase(
    name: "latitude first", replace: "[[[-121.89, 37.34]", with: "[[[37.34, -121.89]", line: 18,
    keyPath: "data.curb_zones[0].geometry.coordinates[0][0]", problem: "[37.34, -121.89] is out of range"),
  LoaderCase(
    name: "curb_policy_ids not an array", replace: "\"curb_policy_ids\": [\"p1\"]", with: "\"curb_policy_ids\": \"p1\"",
    line: 16, keyPath: "data.curb_zones[0].curb_policy_ids", problem: "is a string"),
  LoaderCase(
    name: "empty zone id", replace: "\"curb_zone_id\": \"z1\"", with: "\"curb_zone_id\": \"\"", line: 15,
    keyPath: "data.curb_zones[0].curb_zone_id", problem: "is empty"),
  LoaderCase(
    name: "designated_period_except without a period", replace: "\"days_of_week\": [\"mon\"],",
    with: "\"designated_period_except\": true,", line: 10,
    keyPath: "data.curb_policies[0].time_spans[0].designated_period_except", problem: "is set without designated_period"
  ),
  LoaderCase(
    name: "no_return without max_stay", replace: "\"max_stay\": 2, \"max_stay_unit\": \"hour\"",
    with: "\"no_return\": 3", line: 9, keyPath: "data.curb_policies[0].rules[0].no_return",
    problem: "is set without max_stay"),
]

@Suite("Zones file")
struct ZonesFileLoaderTests {
  @Test func validFileLoads() throws {
    let set = try ZonesFileLoader.parse(Data(validZonesText.utf8), file: "test.json")
    #expect(set.zones.count == 1)
    #expect(set.policies[PolicyID("p1")]?.rules.first?.maxStay == 7_200)
    #expect(set.timeZone.identifier == "America/Los_Angeles")
  }

  @Test("broken file", arguments: loaderCases)
  func brokenFile(_ loaderCase: LoaderCase) throws {
    #expect(validZonesText.contains(loaderCase.replace), "the case's edit must apply")
    let text = validZonesText.replacingOccurrences(of: loaderCase.replace, with: loaderCase.with)
    let error = try #require(throws: FileRefusal.self) {
      try ZonesFileLoader.parse(Data(text.utf8), file: "test.json")
    }
    #expect(error.code == .invalid)
    let found = error.problems.first { $0.keyPath == loaderCase.keyPath }
    let problem = try #require(found, "problems: \(error.problems.map(\.description))")
    #expect(problem.line == loaderCase.line, "\(problem)")
    #expect(problem.problem.hasPrefix(loaderCase.problem), "\(problem)")
    #expect(problem.description.hasPrefix("test.json:\(loaderCase.line): \(loaderCase.keyPath): "))
  }

  @Test func everyProblemIsListed() throws {
    let text =
      validZonesText
      .replacingOccurrences(of: "\"max_stay\": 2", with: "\"max_stay\": 0")
      .replacingOccurrences(of: "[\"mon\"]", with: "[\"mon\", \"sun\", \"xyz\"]")
      .replacingOccurrences(of: "\"curb_policy_ids\": [\"p1\"]", with: "\"curb_policy_ids\": [\"p9\"]")
    let error = try #require(throws: FileRefusal.self) { try ZonesFileLoader.parse(Data(text.utf8), file: "z.json") }
    #expect(error.problems.map(\.line) == [9, 10, 16])
    #expect(
      error.description.contains(
        "z.json:10: data.curb_policies[0].time_spans[0].days_of_week[2]: \"xyz\" is not a day (expected mon, tue, wed, thu, fri, sat or sun)"
      ))
  }

  @Test func duplicateIDsNameTheFirstLine() throws {
    let text = validZonesText.replacingOccurrences(
      of: "\"curb_zones\": [\n",
      with:
        "\"curb_zones\": [\n        {\"curb_zone_id\": \"z1\", \"curb_policy_ids\": [\"p1\"], \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[-121.8, 37.3], [-121.8, 37.31], [-121.81, 37.31], [-121.8, 37.3]]]}},\n"
    )
    let error = try #require(throws: FileRefusal.self) { try ZonesFileLoader.parse(Data(text.utf8), file: "z.json") }
    #expect(error.problems.count == 1)
    #expect(error.problems.first?.problem == "duplicate id \"z1\" (first on line 14)")
  }

  @Test func missingFileIsUnreadable() {
    let error = #expect(throws: FileRefusal.self) {
      try ZonesFileLoader.load(contentsOf: URL(fileURLWithPath: "/nonexistent/zones.json"))
    }
    #expect(error?.code == .unreadable)
    #expect(error?.message.contains("/nonexistent/zones.json") == true)
  }

  @Test func notUTF8IsUnreadable() {
    let error = #expect(throws: FileRefusal.self) {
      try ZonesFileLoader.parse(Data([0xFF, 0xFE, 0x7B]), file: "b.json")
    }
    #expect(error?.code == .unreadable)
  }

  @Test func aDocumentThatIsNotAnObject() {
    let error = #expect(throws: FileRefusal.self) {
      try ZonesFileLoader.parse(Data("\n[1, 2]".utf8), file: "a.json")
    }
    #expect(
      error?.problems.first?.description
        == "a.json:2: (document): the document is an array (expected an object with time_zone and data)")
  }

  @Test func stringEscapesAndUnicode() throws {
    let node = try JSONTextParser.parse(
      Data(#"{"a": "Caf\u00e9 \"x\"\n", "b": [1e2, -0.5, true, null], "c": "😀"}"#.utf8))
    #expect(node["a"]?.string == "Café \"x\"\n")
    #expect(node["b"]?.array?.first?.number == 100)
    #expect(node["c"]?.string == "😀")
  }
}
