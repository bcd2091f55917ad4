// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Testing

@Suite("Backoff") struct BackoffTests {
  @Test func ceilingDoublesAndStopsAtTheCap() {
    let backoff = Backoff(base: .milliseconds(500), cap: .seconds(10))
    #expect(backoff.ceiling(afterFailures: 0) == .zero)
    #expect(backoff.ceiling(afterFailures: 1).seconds == 0.5)
    #expect(backoff.ceiling(afterFailures: 2).seconds == 1)
    #expect(backoff.ceiling(afterFailures: 5).seconds == 8)
    #expect(backoff.ceiling(afterFailures: 6).seconds == 10)
    #expect(backoff.ceiling(afterFailures: 500).seconds == 10)
  }

  @Test func jitterStaysBetweenHalfAndAllOfTheCeiling() {
    let backoff = Backoff(base: .seconds(1), cap: .seconds(60))
    var generator = SystemRandomNumberGenerator()
    var seen = Set<Int>()
    for failures in 1...8 {
      let ceiling = backoff.ceiling(afterFailures: failures).seconds
      for _ in 0..<200 {
        let delay = backoff.delay(afterFailures: failures, using: &generator).seconds
        #expect(delay >= ceiling / 2 && delay <= ceiling)
        seen.insert(Int(delay * 1000))
      }
    }
    #expect(seen.count > 100, "delays must be spread, not identical")
  }

  @Test(arguments: [
    (0, Duration.zero), (1, .milliseconds(500)), (2, .seconds(1)), (3, .seconds(2)), (10, .seconds(256)),
    (11, .seconds(300)), (1_000, .seconds(300)),
  ])
  func theCeilingIsExactTableDriven(failures: Int, ceiling: Duration) {
    #expect(Backoff().ceiling(afterFailures: failures) == ceiling)
  }

  @Test func retriesDoubleExactlyAndStartOverAfterASuccess() {
    var retries = Backoff.Retries(Backoff(base: .milliseconds(100), cap: .seconds(5)))
    #expect(retries.next == .milliseconds(100))
    let waits = (0..<8).map { _ in retries.take() }
    #expect(
      waits == [
        .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600),
        .milliseconds(3200), .seconds(5), .seconds(5),
      ])
    #expect(retries.failures == 8)
    retries.reset()
    #expect(retries.failures == 0 && retries.next == .milliseconds(100) && retries.take() == .milliseconds(100))
  }

  @Test func theSeededGeneratorRepeatsItsSequence() {
    var a = SeededGenerator(seed: 7)
    var b = SeededGenerator(seed: 7)
    var c = SeededGenerator(seed: 8)
    let first = (0..<16).map { _ in a.next() }
    #expect(first == (0..<16).map { _ in b.next() })
    #expect(first != (0..<16).map { _ in c.next() })
    // SplitMix64's published first output for seed 0.
    var zero = SeededGenerator(seed: 0)
    #expect(zero.next() == 0xE220_A839_7B1D_CDAF)
  }
}
