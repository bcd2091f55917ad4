// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Testing

private enum Left: ErrorDomain {}
private enum Right: ErrorDomain {}

extension CodedError.Code where Domain == Left {
  fileprivate static let full = Self("disk-full")
}

extension CodedError.Code where Domain == Right {
  fileprivate static let full = Self("disk-full")
}

/// The one error shape: a part's code, a sentence, the cause; each part's errors a type of its own.
@Suite struct CodedErrorTests {
  @Test func theSentenceComesFirstThenTheCodeThenTheCause() {
    let plain = CodedError<Left>(.full, "The state directory is full.")
    #expect(plain.description == "The state directory is full. [disk-full]")
    let caused = CodedError<Left>(.full, "The state directory is full.", detail: "SQLITE_FULL")
    #expect(caused.description == "The state directory is full. [disk-full] (cause: SQLITE_FULL)")
    #expect(caused.code == .full && caused.code.name == "disk-full")
  }

  @Test func aCatchOfOnePartDoesNotTakeAnotherPartsError() {
    func part(_ error: any Error) -> String {
      switch error {
      case is CodedError<Left>: "left"
      case is CodedError<Right>: "right"
      default: "other"
      }
    }
    #expect(part(CodedError<Left>(.full, "")) == "left")
    #expect(part(CodedError<Right>(.full, "")) == "right")
  }

  @Test func aCauseIsKeptAsTheErrorItIs() throws {
    let inner = CodedError<Right>(.full, "inner")
    let outer = CodedError<Left>(.full, "outer", cause: inner)
    let cause = try #require(outer.cause as? CodedError<Right>)
    #expect(cause.message == "inner")
  }
}
