// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Testing

@Suite("The one canonical plate form")
struct PlateCanonicalFormTests {
  @Test(arguments: [
    ("plain", "7ABC123", "7ABC123"),
    ("lower case", "7abc123", "7ABC123"),
    ("spaces, dashes, dots, tabs", "7 ABC-1.2\t3·", "7ABC123"),
    ("O becomes zero", "HLOKTY1", "HL0KTY1"),
    ("Q becomes zero", "7ABCQ23", "7ABC023"),
    ("lower-case q and o too", "7abcqo3", "7ABC003"),
    ("I becomes one", "IAM1", "1AM1"),
    ("every fold at once", "OQI0-1", "00101"),
    ("zero and one stay", "R820503", "R820503"),
    ("other characters are kept for a checker to refuse", "AB♥12", "AB♥12"),
    ("empty", "", ""),
  ])
  func canonicalForm(name: String, raw: String, expected: String) {
    #expect(PlateCanonicalForm.canonical(raw) == expected, "\(name)")
  }

  @Test(arguments: ["7ABC1O3", "7abc-1q3", "7ABC 103", "7·ABC·1Q3", "7ABC103"])
  func confusableReadingsAreOnePlate(reading: String) {
    #expect(PlateCanonicalForm.canonical(reading) == "7ABC103")
  }

  @Test(arguments: ["7abc-1o3", "QI O-", "x.y z", "7ABC103"])
  func theFormIsIdempotent(reading: String) {
    let once = PlateCanonicalForm.canonical(reading)
    #expect(PlateCanonicalForm.canonical(once) == once)
  }
}
