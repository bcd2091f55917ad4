// SPDX-License-Identifier: AGPL-3.0-or-later
import Testing

@testable import Uplink

@Suite struct BackoffTests {
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
}
