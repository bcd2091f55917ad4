// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import FoundationEssentials
import Testing

@Suite("UTC time: ISO 8601 with milliseconds")
struct UTCTimeTests {
  @Test(arguments: [
    ("2026-03-02T09:00:00.000Z", Int64(1_772_442_000_000)),
    ("2026-03-02T09:00:00Z", Int64(1_772_442_000_000)),
    ("2026-03-02T09:00:00.125Z", Int64(1_772_442_000_125)),
    ("2026-03-02T09:00:00.5Z", Int64(1_772_442_000_500)),
    ("2026-03-02T09:00:00.1234Z", Int64(1_772_442_000_123)),
    ("2026-03-02T09:00:00.1235Z", Int64(1_772_442_000_124)),
    ("2026-03-02T09:00:00.9996Z", Int64(1_772_442_001_000)),
    ("2026-03-02T09:00:00.123456789012345678901Z", Int64(1_772_442_000_123)),
    ("1999-12-31T23:59:59.999Z", Int64(946_684_799_999)),
    ("1969-12-31T23:59:59.750Z", Int64(-250)),
    ("2024-02-29T00:00:00.000Z", Int64(1_709_164_800_000)),
    ("2016-12-31T23:59:60.000Z", Int64(1_483_228_800_000)),
  ])
  func parsesToTheNearestMillisecond(text: String, milliseconds: Int64) throws {
    let date = try #require(UTCTime.parse(text))
    #expect(date.millisecondsSince1970 == milliseconds)
    #expect(date == Date(millisecondsSince1970: milliseconds), "parsed times are whole milliseconds")
  }

  @Test(arguments: [
    "", "garbage", "2026-03-02 09:00:00Z", "2026-13-02T09:00:00Z", "2026-03-02T09:00:00.Z", "2026-03-02T09:00:00",
    "2026-03-02T09:00:00.000", "2026-3-02T09:00:00.000Z", "2026-02-30T09:00:00.000Z", "2025-02-29T00:00:00Z",
    "2026-03-02T24:00:00Z", "2026-03-02T09:00:00.000+01:00", "2026-03-02T09:00:00.12a4Z",
  ])
  func refusesAnythingElse(text: String) {
    #expect(UTCTime.parse(text) == nil)
  }

  @Test(arguments: [
    (1_772_442_000.0, "2026-03-02T09:00:00.000Z"),
    (1_772_442_000.5, "2026-03-02T09:00:00.500Z"),
    (1_772_442_000.1234, "2026-03-02T09:00:00.123Z"),
    (1_772_442_000.1235, "2026-03-02T09:00:00.124Z"),
    (1_772_442_000.9996, "2026-03-02T09:00:01.000Z"),
    (-0.25, "1969-12-31T23:59:59.750Z"),
    (-0.0004, "1970-01-01T00:00:00.000Z"),
    (946_684_799.999, "1999-12-31T23:59:59.999Z"),
  ])
  func formatsRoundedToTheNearestMillisecond(seconds: Double, text: String) {
    #expect(UTCTime.format(Date(timeIntervalSince1970: seconds)) == text)
  }

  @Test func aTimeHeldAsAHairBelowItsMillisecondKeepsIt() {
    // 0.123 is held as 0.12299…: truncating (Foundation's formatter alone) would print .122.
    for millis in stride(from: Int64(0), to: 100_000, by: 37) {
      let date = Date(timeIntervalSince1970: 1_772_442_000 + Double(millis) / 1000)
      let text = UTCTime.format(date)
      #expect(text.count == 24 && text.hasSuffix("Z"))
      #expect(UTCTime.parse(text)?.millisecondsSince1970 == 1_772_442_000_000 + millis, "\(text)")
    }
  }

  @Test func millisecondsRoundHalvesAwayFromZero() {
    #expect(Date(timeIntervalSince1970: 0.0015).millisecondsSince1970 == 2)
    #expect(Date(timeIntervalSince1970: -0.0015).millisecondsSince1970 == -2)
    #expect(Date(timeIntervalSince1970: 1.2344).roundedToMilliseconds == Date(millisecondsSince1970: 1234))
  }
}
