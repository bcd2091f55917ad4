// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing
import Wire

@Suite struct WireFormatTests {
  @Test(arguments: [0.0, 0.123, 0.999, 1_772_442_000.123, 1_772_442_000.001, 1_772_442_000.999, -0.5])
  func timesRoundTripToTheMillisecond(_ seconds: Double) throws {
    let text = UTCTime.format(Date(timeIntervalSince1970: seconds))
    let parsed = try #require(UTCTime.parse(text))
    #expect((parsed.timeIntervalSince1970 * 1000).rounded() == (seconds * 1000).rounded(), "\(text)")
    #expect(text.hasSuffix("Z") && text.count == 24)
  }

  @Test func aManifestKeepsItsBytesAndDerivesElapsedTimeAndDistance() throws {
    let manifest = WireManifest(
      id: UUID(), device: "ab12", rule: "max_stay", zone: "z1", decidedAt: "2026-03-02T11:10:00.000Z",
      sightings: [
        .init(
          time: "2026-03-02T09:00:00.000Z", latitude: 37.3349, longitude: -121.8881, uncertaintyM: 4,
          evidenceId: UUID(),
          plateSha256: "", vehicleSha256: "", sealedSha256: ""),
        .init(
          time: "2026-03-02T11:10:00.000Z", latitude: 37.3350, longitude: -121.8881, uncertaintyM: 4,
          evidenceId: UUID(),
          plateSha256: "", vehicleSha256: "", sealedSha256: ""),
      ])
    let bytes = try manifest.canonicalJSON()
    #expect(try WireManifest.decode(bytes) == manifest)
    #expect(try WireManifest.decode(bytes).canonicalJSON() == bytes)
    #expect(manifest.elapsedSeconds == 7_800)
    #expect(abs((manifest.distanceMeters ?? 0) - 11.1) < 0.2)
    #expect(!String(decoding: bytes, as: UTF8.self).contains(" "))
  }
}
