// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import PlateReading
import Testing

@Suite("US plate grammar")
struct PlateGrammarTests {
  @Test(arguments: [
    ("plain", "7ABC123", "7ABC123"),
    ("lower case and spaces", "7abc 123", "7ABC123"),
    ("dash and dot", "ABC-12.3", "ABC123"),
    ("emblem symbols", "AB♥12", "AB12"),
  ])
  func normalized(name: String, raw: String, expected: String) {
    #expect(PlateGrammar.normalized(raw) == expected)
  }

  @Test(arguments: [
    ("O becomes zero", "HLOKTY1", "HL0KTY1"),
    ("I becomes one", "IAM1", "1AM1"),
    ("zero stays", "R820503", "R820503"),
    ("both folds", "OI0I", "0101"),
  ])
  func canonical(name: String, raw: String, expected: String) {
    #expect(PlateCanonicalForm.canonical(raw) == expected)
  }

  @Test(arguments: [
    ("one character", "A", false),
    ("two characters", "A1", true),
    ("eight characters", "ABCD1234", true),
    ("nine characters", "ABCDE1234", false),
    ("empty", "", false),
    ("not normalized", "ABC 123", false),
    ("lower case", "abc123", false),
  ])
  func validity(name: String, text: String, valid: Bool) {
    #expect(PlateGrammar.isValid(text) == valid)
  }

  @Test func samePlateFolds() {
    #expect(PlateGrammar.samePlate("HLOKTY1", "HL0KTY1"))
    #expect(!PlateGrammar.samePlate("ABC123", "ABC124"))
  }

  @Test func layout() {
    #expect(PlateGrammar.layout("7ABC123") == "DLLLDDD")
  }
}
