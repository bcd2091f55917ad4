// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Testing

@Suite("Geodesy and curb positions")
struct GeodesyTests {
  @Test func aDegreeOfLatitudeIsTheWGS84MeridionalArc() {
    // The meridional arc of one degree: 110 574 m at the equator, 111 694 m at the pole.
    #expect(abs(Geodesy.metresPerDegree(atLatitude: 0).north - 110_574.3) < 1)
    #expect(abs(Geodesy.metresPerDegree(atLatitude: 90).north - 111_693.9) < 1)
    #expect(abs(Geodesy.metresPerDegree(atLatitude: 0).east - 111_319.5) < 1)
    #expect(abs(Geodesy.metresPerDegree(atLatitude: 60).east - 55_800) < 5)
  }

  @Test(arguments: [(0.0, 10.0), (10.0, 0.0), (-30.0, 40.0), (3.0, -4.0), (150.0, 150.0)])
  func anOffsetIsMeasuredBackExactly(east: Double, north: Double) {
    let start = CurbPosition(latitude: 37.3352, longitude: -121.8811, uncertainty: 3)
    let moved = start.offset(east: east, north: north)
    #expect(moved.uncertainty == 3)
    let expected = (east * east + north * north).squareRoot()
    #expect(abs(start.distance(to: moved) - expected) < 0.001)
    #expect(abs(moved.distance(to: start) - expected) < 0.001)
  }

  @Test func displacementIsNorthThenEastAndCrossesTheAntimeridian() {
    let d = Geodesy.displacement(from: (0, 179.9999), to: (0.0001, -179.9999))
    #expect(abs(d.north - 11.057) < 0.01)
    #expect(abs(d.east - 22.264) < 0.01)
    let wrapped = Geodesy.offset(latitude: 0, longitude: 179.9999, north: 0, east: 22.264)
    #expect(abs(wrapped.longitude - -179.9999) < 1e-6)
  }

  @Test func theSamePointIsZeroMetresAway() {
    let p = CurbPosition(latitude: 37.3, longitude: -121.9, uncertainty: 1)
    #expect(p.distance(to: p) == 0)
  }
}
